#!/usr/bin/env bash
# Builds the Debian package: target/debian/vigie_<version>_<arch>.deb.
# Needs cargo-deb (cargo install cargo-deb --locked). The man pages and
# shell completions are generated from the command-line definition first.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile dist
assets=target/assets
rm -rf "$assets" && mkdir -p "$assets/man" "$assets/completions"
target/dist/vigie generate man "$assets/man"
target/dist/vigie generate completions bash > "$assets/completions/vigie.bash"
target/dist/vigie generate completions zsh > "$assets/completions/_vigie"
target/dist/vigie generate completions fish > "$assets/completions/vigie.fish"
cargo deb --no-build "$@"
