"""Pages compressed once: the copies decompress to exactly the page, with each reader's token
in every place the placeholder held (checked with the standard decoders)."""

from __future__ import annotations

import gzip

import brotli
import pytest

from app.precompressed import gzip_with, prepare

MARK = b"__token__"


def test_a_page_without_a_form_is_kept_in_brotli_and_gzip_whole():
    body = b"<html>" + b"<p>Basil likes sun.</p>" * 500 + b"</html>"
    kept = prepare(body, MARK)
    assert brotli.decompress(kept["br"]) == body
    assert gzip.decompress(kept["gzip"]) == body
    assert len(kept["gzip"]) < len(body) // 10


@pytest.mark.parametrize(
    "body",
    [
        b"<form>__token__</form>",
        b"__token__ at the start, " * 3 + b"and twice at the end __token____token__",
        b"<p>" + b"x" * 200_000 + b"</p><input value=__token__>" + bytes(range(256)) * 50,
    ],
)
@pytest.mark.parametrize("token", [b"", b"IjA1ZGM4.Zp2x9Q.abc-_", b"t" * 70_000])
def test_the_gzip_pieces_carry_each_readers_token(body, token):
    kept = prepare(body, MARK)
    assert "pieces" in kept and "br" not in kept
    assert gzip.decompress(gzip_with(kept, token)) == body.replace(MARK, token)
