"""A recording is stored only when its body is audio: an error page or a JSON body served
with 200 is refused (and fetched again later), never stored in the audio's place."""

import pytest

from telephony.providers.kit.parsing import audio_type

WAV = b"RIFF\x24\x08\x00\x00WAVEfmt " + b"\x00" * 32
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 32
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 32
M4A = b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 32


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        (WAV, "audio/wav", "audio/wav"),
        (WAV, "application/octet-stream", "audio/wav"),  # generic type, WAV by its bytes
        (WAV, "", "audio/wav"),
        (MP3_ID3, "audio/mpeg", "audio/mpeg"),
        (MP3_FRAME, "binary/octet-stream", "audio/mpeg"),
        (b"OggS\x00\x02" + b"\x00" * 30, "application/ogg", "audio/ogg"),
        (b"fLaC\x00\x00\x00\x22", "", "audio/flac"),
        (M4A, "", "audio/mp4"),
        (b"\x01\x02\x03binary-audio", "audio/x-custom", "audio/x-custom"),
        (b'{"error": "recording not ready"}', "application/json", None),
        (b'{"status": true, "url": "https://x"}', "audio/mpeg", None),  # JSON under audio/*
        (b"<html><body>502 Bad Gateway</body></html>", "text/html", None),
        (b"<html>login</html>", "audio/wav", None),
        (b"", "audio/wav", None),
        (b"plain text", "text/plain", None),
    ],
)
def test_audio_is_known_by_its_bytes_or_an_audio_type(content, content_type, expected):
    assert audio_type(content, content_type) == expected
