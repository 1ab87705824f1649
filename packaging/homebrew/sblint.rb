# Homebrew formula for sblint: builds the release's source tarball with `cargo install`.
#
# Homebrew installs formulae only from a tap, so install it through a local one:
#
#   brew tap-new --no-git "$USER/local"
#   cp packaging/homebrew/sblint.rb "$(brew --repository "$USER/local")/Formula/"
#   brew install --build-from-source "$USER/local/sblint"
#
# The release workflow (.github/workflows/release.yml) attaches this file to each GitHub
# release with the tarball's sha256 filled in; the copy in the repository carries the
# sha256 of the last release made from it (see the CHANGELOG's header).
# tests/workflows.rs checks that the version in `url` is Cargo.toml's.
class Sblint < Formula
  desc "Linter, formatter, explainer and language server for Apple sandbox profiles"
  homepage "https://github.com/sblint/sblint"
  url "https://github.com/sblint/sblint/releases/download/v0.1.0/sblint-0.1.0.tar.gz"
  # Not released yet: the release workflow writes the real checksum.
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license any_of: ["MIT", "Apache-2.0"]
  head "https://github.com/sblint/sblint.git", branch: "main"

  depends_on "rust" => :build

  def install
    system "cargo", "install", *std_cargo_args
    generate_completions_from_executable(bin/"sblint", "completions")
    man1.mkpath
    system bin/"sblint", "man", "--dir", man1
  end

  test do
    assert_match "sblint #{version}", shell_output("#{bin}/sblint --version")
    (testpath/"clean.sb").write "(version 1)\n(allow default)\n(deny network*)\n"
    system bin/"sblint", "check", testpath/"clean.sb"
    (testpath/"tmp.sb").write "(version 1)\n(deny default)\n(allow file-read* (subpath \"/tmp\"))\n"
    assert_match "warning[SB201]", shell_output("#{bin}/sblint check --format concise #{testpath}/tmp.sb", 1)
  end
end
