#!/usr/bin/env bash
# Idempotent: the official .NET Interactive Jupyter kernel, as a user's VS Code (Jupyter extension) or JupyterLab runs the
# notebooks: the dotnet-interactive global tool (pinned; the NuGet mirror serves it), the ~/.local/share/jupyter/kernels
# folder (`dotnet interactive jupyter install` fails without it) and the ".NET (C#)" kernelspec. Debian's Jupyter
# packages (jupyter-nbconvert, python3-nbclient, jupyter-client, python3-ipykernel) are installed by setup.sh with apt.
# Used by the test that executes notebooks through Jupyter (JupyterKernelTests); it is skipped with a message when any
# piece is missing. Nothing here is fatal.
set -u
version="1.0.712001"
tools="${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools"
export PATH="$PATH:$tools" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "jupyter.sh: dotnet is missing; the Jupyter kernel test will be skipped"
  exit 0
fi
if ! command -v dotnet-interactive >/dev/null 2>&1; then
  if dotnet tool install -g Microsoft.dotnet-interactive --version "$version" >/dev/null 2>&1; then
    echo "jupyter.sh: installed the dotnet-interactive tool $version into $tools"
  else
    echo "jupyter.sh: could not install the dotnet-interactive tool $version (dotnet tool install -g Microsoft.dotnet-interactive); the Jupyter kernel test will be skipped"
    exit 0
  fi
fi
if ! command -v jupyter >/dev/null 2>&1; then
  echo "jupyter.sh: jupyter is missing (apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel); the Jupyter kernel test will be skipped"
  exit 0
fi
if ! jupyter kernelspec list 2>/dev/null | grep -q '^ *\.net-csharp '; then
  mkdir -p "$(jupyter --data-dir 2>/dev/null || echo "$HOME/.local/share/jupyter")/kernels"
  if dotnet interactive jupyter install >/dev/null 2>&1 && jupyter kernelspec list 2>/dev/null | grep -q '^ *\.net-csharp '; then
    echo "jupyter.sh: installed the .NET (C#) Jupyter kernelspec (dotnet interactive jupyter install)"
  else
    echo "jupyter.sh: dotnet interactive jupyter install failed; the Jupyter kernel test will be skipped"
  fi
fi
exit 0
