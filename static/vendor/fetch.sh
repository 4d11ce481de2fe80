#!/usr/bin/env bash
# Re-download the vendored front-end files from the npm registry and verify
# them against static/vendor/SHA256SUMS.
#
#   bash static/vendor/fetch.sh            # fetch + verify (fails on mismatch)
#   bash static/vendor/fetch.sh --update   # fetch + rewrite SHA256SUMS (after a version bump)
#
# Called by `make vendor`. Needs: bash, npm, tar, sha256sum.
set -euo pipefail

# name-in-static/vendor | npm package | version | file inside the tarball
FILES=(
  "htmx-2.0.11.min.js|htmx.org|2.0.11|package/dist/htmx.min.js"
  "htmx-ext-sse-2.2.4.js|htmx-ext-sse|2.2.4|package/dist/sse.js"
  "codemirror-5.65.21.js|codemirror|5.65.21|package/lib/codemirror.js"
  "codemirror-5.65.21.css|codemirror|5.65.21|package/lib/codemirror.css"
  "codemirror-5.65.21-sql.js|codemirror|5.65.21|package/mode/sql/sql.js"
  "codemirror-5.65.21-show-hint.js|codemirror|5.65.21|package/addon/hint/show-hint.js"
  "codemirror-5.65.21-show-hint.css|codemirror|5.65.21|package/addon/hint/show-hint.css"
  "codemirror-5.65.21-matchbrackets.js|codemirror|5.65.21|package/addon/edit/matchbrackets.js"
  "codemirror-5.65.21-placeholder.js|codemirror|5.65.21|package/addon/display/placeholder.js"
)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sums="$here/SHA256SUMS"
update=0
case "${1:-}" in
  --update) update=1 ;;
  "") ;;
  *) echo "usage: $0 [--update]" >&2; exit 2 ;;
esac

die() { echo "fetch.sh: ERROR: $*" >&2; exit 1; }
command -v npm >/dev/null || die "npm not found"
command -v sha256sum >/dev/null || die "sha256sum not found"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out"

for entry in "${FILES[@]}"; do
  IFS='|' read -r name pkg version inner <<<"$entry"
  x="$tmp/x/${pkg//\//-}-$version"   # one tarball per package version (codemirror gives several files)
  if [ ! -d "$x" ]; then
    echo "fetch.sh: npm pack $pkg@$version"
    mkdir -p "$x" "$tmp/pack"
    (cd "$tmp/pack" && npm pack --silent "$pkg@$version" >/dev/null) || die "npm pack $pkg@$version failed"
    tgz="$(ls "$tmp"/pack/*"-$version.tgz" 2>/dev/null | head -n1)"
    [ -f "$tgz" ] || die "tarball for $pkg@$version not found in $tmp/pack"
    tar -xzf "$tgz" -C "$x" || die "cannot unpack $tgz"
    rm -f "$tgz"
  fi
  [ -f "$x/$inner" ] || die "$inner not in $pkg@$version"
  cp "$x/$inner" "$tmp/out/$name"
done

if [ "$update" = 1 ]; then
  (cd "$tmp/out" && for entry in "${FILES[@]}"; do sha256sum "${entry%%|*}"; done) >"$tmp/SHA256SUMS"
  echo "fetch.sh: new checksums:"
  cat "$tmp/SHA256SUMS"
  cp "$tmp/SHA256SUMS" "$sums"
else
  [ -f "$sums" ] || die "$sums missing (run with --update once, then review and commit it)"
  # Every file we vendor must be listed in SHA256SUMS.
  for entry in "${FILES[@]}"; do
    name="${entry%%|*}"
    grep -qE "^[0-9a-f]{64}  $name\$" "$sums" || die "$name is not listed in SHA256SUMS"
  done
  if ! (cd "$tmp/out" && sha256sum -c --strict "$sums"); then
    echo >&2
    echo "fetch.sh: CHECKSUM MISMATCH: the files from the npm registry differ from SHA256SUMS." >&2
    echo "fetch.sh: static/vendor was NOT modified. If you bumped a version on purpose, run" >&2
    echo "fetch.sh:   bash static/vendor/fetch.sh --update   and review the diff." >&2
    exit 1
  fi
fi

for entry in "${FILES[@]}"; do
  name="${entry%%|*}"
  install -m 0644 "$tmp/out/$name" "$here/$name"
  echo "fetch.sh: wrote static/vendor/$name"
done
echo "fetch.sh: OK"
