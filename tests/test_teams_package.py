"""`sharebot manifest teams`: a package Teams accepts, with the icons it asks for."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from adapters.cli import _warn_about_teams_without_authentication
from adapters.settings import Settings, load_settings
from adapters.teams.package import PackageError, build_package, manifest
from tests.cli import run_cli
from tests.schemas import TEAMS_MANIFEST, errors

APP_ID = "8f2ad2e6-6b36-4a38-9d44-3c5e0b1f7a10"


def settings(**values: str) -> Settings:
    return load_settings(**values)


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the RGBA rows of a PNG written with filter 0 (as ours are)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    idat = b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        crc = struct.unpack(">I", data[position + 8 + length : position + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc
        chunks[kind] = body
        if kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 6)  # 8-bit RGBA
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    rows = [raw[y * stride + 1 : (y + 1) * stride] for y in range(height)]
    assert all(raw[y * stride] == 0 for y in range(height))
    return width, height, rows


def package_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_manifest_is_valid_against_the_teams_schema() -> None:
    files = package_files(build_package(settings(MICROSOFT_APP_ID=APP_ID)))
    assert set(files) == {"manifest.json", "color.png", "outline.png"}
    document = json.loads(files["manifest.json"])
    assert errors(TEAMS_MANIFEST, document) == []
    [bot] = document["bots"]
    assert bot["botId"] == APP_ID and set(bot["scopes"]) == {"personal", "team"}
    assert {tuple(c["scopes"]) for c in bot["commandLists"]} == {("personal",), ("team",)}
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert {"help", "on", "off", "settings", "privacy"} <= set(titles)
    assert document["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_a_public_url_becomes_the_valid_domain_and_developer_pages() -> None:
    document = manifest(
        settings(MICROSOFT_APP_ID=APP_ID, SHAREBOT_PUBLIC_URL="https://sharebot.example.org")
    )
    assert document["validDomains"] == ["sharebot.example.org"]
    assert document["developer"]["privacyUrl"].startswith("https://sharebot.example.org")
    assert errors(TEAMS_MANIFEST, document) == []


def test_icons_have_the_sizes_teams_wants_and_the_outline_is_transparent() -> None:
    files = package_files(build_package(settings(MICROSOFT_APP_ID=APP_ID)))
    width, height, rows = read_png(files["color.png"])
    assert (width, height) == (192, 192)
    assert all(row[3::4] == b"\xff" * 192 for row in rows)  # opaque
    width, height, rows = read_png(files["outline.png"])
    assert (width, height) == (32, 32)
    pixels = [row[i : i + 4] for row in rows for i in range(0, len(row), 4)]
    assert all(p in (b"\xff\xff\xff\xff", b"\x00\x00\x00\x00") for p in pixels)
    transparent = sum(p[3] == 0 for p in pixels)
    assert 0.5 * len(pixels) < transparent < len(pixels)  # a white glyph on transparency


@pytest.mark.parametrize(("app_id", "message"), [("", "is empty"), ("my-bot", "not an app id")])
def test_no_usable_app_id_is_a_clear_error(app_id: str, message: str) -> None:
    with pytest.raises(PackageError, match=message) as error:
        manifest(settings(MICROSOFT_APP_ID=app_id))
    assert "MICROSOFT_APP_ID" in str(error.value)


def test_the_command_writes_the_package(tmp_path: Path) -> None:
    result = run_cli(["manifest", "teams", "--out", "app.zip"], tmp_path, MICROSOFT_APP_ID=APP_ID)
    assert result.returncode == 0, result.stderr
    assert "manifest.json" in package_files((tmp_path / "app.zip").read_bytes())
    empty = run_cli(["manifest", "teams", "--out", "none.zip"], tmp_path)
    assert empty.returncode == 2 and "MICROSOFT_APP_ID" in empty.stderr
    assert not (tmp_path / "none.zip").exists()


def test_run_warns_loudly_when_teams_listens_without_authentication(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _warn_about_teams_without_authentication(
        settings(SHAREBOT_ADAPTERS="teams", SHAREBOT_HOST="0.0.0.0")
    )
    assert "WARNING" in capsys.readouterr().err
    _warn_about_teams_without_authentication(
        settings(SHAREBOT_ADAPTERS="teams", SHAREBOT_HOST="127.0.0.1")
    )
    captured = capsys.readouterr()
    assert "WARNING" not in captured.err and "authentication is off" in captured.out
    _warn_about_teams_without_authentication(
        settings(SHAREBOT_ADAPTERS="teams", SHAREBOT_HOST="0.0.0.0", MICROSOFT_APP_ID=APP_ID)
    )
    assert capsys.readouterr() == ("", "")
