#!/usr/bin/env bash
# Idempotent: installs plotly.js (the cartesian bundle: scatter, bar, heatmap, image, ...) into environment/plotly/,
# from which `mw notebook` inlines it once into each HTML report and into notebook figure outputs.
# Reports still render without it, with a visible note where interactive figures would be.
set -u
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package="plotly.js-cartesian-dist-min"
version="4.1.1"
bundle="$here/plotly/node_modules/$package/plotly-cartesian.min.js"
if [ -f "$bundle" ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "plotly.sh: npm is missing; HTML reports will show a note instead of interactive figures (install nodejs/npm and rerun)"
  exit 0
fi
mkdir -p "$here/plotly"
if npm install --prefix "$here/plotly" --no-audit --no-fund --loglevel=error "$package@$version" >/dev/null 2>&1 && [ -f "$bundle" ]; then
  echo "plotly.sh: installed $package@$version into environment/plotly"
else
  echo "plotly.sh: npm could not install $package@$version; HTML reports will show a note instead of interactive figures"
fi
exit 0
