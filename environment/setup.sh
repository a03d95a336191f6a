#!/usr/bin/env bash
# Idempotent set-up of what a fresh Debian machine lacks for MotionWorkbench's tests, benchmarks and reports.
# Only the .NET SDK is required; everything here is optional and each missing piece is reported, not fatal:
#   - libopenblas0-pthread: fast sgemm through P/Invoke (the engine falls back to its managed SIMD kernel);
#   - chromium: the browser test of exported reports (skipped with a message when absent);
#   - plotly.js (npm, into environment/plotly): inlined into HTML reports (reports note its absence);
#   - Jupyter (jupyter-nbconvert, python3-nbclient, jupyter-client, python3-ipykernel) and, through jupyter.sh, the
#     dotnet-interactive tool and its ".NET (C#)" kernelspec: the test that runs notebooks through the official Jupyter
#     kernel, as VS Code does (skipped with a message when absent);
#   - g++ and python3: the build's TorchSharp native fix (environment/torchsharp) builds a one-function libstdc++ shim
#     where the system libstdc++ lacks GLIBCXX_3.4.32 (Debian 12); without them such a build stops with a message.
# Installs with apt-get/npm only when running as root (as CI does); otherwise prints what to install.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

need_apt=()
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need_apt+=(libopenblas0-pthread)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v g++ >/dev/null 2>&1 || need_apt+=(g++)
[ -x /usr/bin/python3 ] || need_apt+=(python3)
for p in jupyter-nbconvert python3-nbclient jupyter-client python3-jupyter-client python3-ipykernel; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done

if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${need_apt[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null 2>&1 || true
    apt-get install -y -q --no-install-recommends "${need_apt[@]}" >/dev/null 2>&1 \
      || echo "setup: apt-get could not install ${need_apt[*]}; the tests that need them will be skipped"
  else
    echo "setup: missing ${need_apt[*]} (install with: sudo apt-get install ${need_apt[*]}); dependent tests will be skipped"
  fi
fi

bash "$here/jupyter.sh"

if [ -f "$here/plotly/package.json" ] || [ -f "$here/plotly.sh" ]; then
  [ -f "$here/plotly.sh" ] && bash "$here/plotly.sh"
fi
exit 0
