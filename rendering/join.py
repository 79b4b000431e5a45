"""Joining: concat demuxer (video copied), one AAC track, chapters, captions (SRT, and a
word-timed WebVTT); then a check."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from rendering.captions import join_captions, join_words, word_timed_vtt
from rendering.chapters import chapters_for, chapters_text, ffmetadata
from rendering.files import TMP_MARK, atomic_path, write_atomic
from rendering.media import COPY_TIMEOUT, ffprobe
from rendering.settings import AUDIO_BITRATE, NAME, VIDEO_TITLE

#: Re-encoding for burned-in captions: seconds allowed per second of film (1080p60, 2 cores).
BURN_SECONDS_PER_SECOND = 20


class JoinError(Exception):
    """The scenes could not be joined into a film that passes :func:`verify`."""


def join(
    out: Path,
    entries: Sequence[Any],
    dirs: Sequence[Path],
    lengths: Sequence[Fraction],
    burn: bool,
) -> dict:
    """Join the cached scenes into the film; every output is written whole, then renamed."""
    chapters = chapters_for(entries, lengths)
    total = sum(lengths, Fraction(0))
    captions = join_captions([(d / "scene.srt").read_text(encoding="utf-8") for d in dirs], lengths)
    words = join_words([_scene_words(d) for d in dirs], lengths)
    final = out / f"{NAME}.mp4"
    work = Path(tempfile.mkdtemp(prefix=f".join{TMP_MARK}", dir=out))
    try:
        listing = "".join(
            "file '{}'\n".format(str((d / "scene.mov").resolve()).replace("'", "'\\''"))
            for d in dirs
        )
        (work / "scenes.txt").write_text(listing, encoding="utf-8")
        (work / "chapters.ffmeta").write_text(ffmetadata(chapters, VIDEO_TITLE), encoding="utf-8")
        (work / "captions.srt").write_text(captions, encoding="utf-8")
        concat = ["-f", "concat", "-safe", "0", "-i", "scenes.txt",
                  "-f", "ffmetadata", "-i", "chapters.ffmeta",
                  "-map", "0:v:0", "-map", "0:a:0", "-map_metadata", "1", "-map_chapters", "1",
                  "-c:v", "copy", "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "1",
                  "-movflags", "+faststart", "-f", "mp4"]  # fmt: skip
        burned = ["-map", "0", "-map_metadata", "0", "-map_chapters", "0",
                  "-vf", "subtitles=captions.srt", "-c:v", "libx264", "-preset", "medium",
                  "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "copy",
                  "-movflags", "+faststart", "-f", "mp4"]  # fmt: skip
        with atomic_path(final) as tmp:
            copy_limit = COPY_TIMEOUT + 2 * float(total)
            if burn:
                run_ffmpeg([*concat, "joined.mp4"], cwd=work, limit=copy_limit)
                encode_limit = COPY_TIMEOUT + BURN_SECONDS_PER_SECOND * float(total)
                run_ffmpeg(["-i", "joined.mp4", *burned, str(tmp)], cwd=work, limit=encode_limit)
            else:
                run_ffmpeg([*concat, str(tmp)], cwd=work, limit=copy_limit)
            check = verify(ffprobe(str(tmp)), total, len(chapters))
        write_atomic(out / f"{NAME}.srt", captions)
        write_atomic(out / f"{NAME}.vtt", word_timed_vtt(captions, words))
        write_atomic(out / "chapters.txt", chapters_text(chapters))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"path": str(final), "chapters": [c.__dict__ for c in chapters], **check}


def _scene_words(entry: Path) -> list:
    """A cached scene's narrated lines and their words (none if it has no such file)."""
    path = entry / "scene.words.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def run_ffmpeg(args: list[str], cwd: Path, limit: float) -> None:
    """Run ffmpeg quietly for at most ``limit`` seconds; its last error line becomes a JoinError."""
    try:
        proc = subprocess.run(
            ["ffmpeg", "-v", "error", "-nostdin", "-y", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        raise JoinError(f"ffmpeg did not finish within {limit:.0f} s") from None
    if proc.returncode != 0:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        raise JoinError(f"ffmpeg failed: {lines[-1] if lines else proc.returncode}")


def verify(info: dict, total: Fraction, n_chapters: int) -> dict:
    """The joined film has what it should: the right length, one AAC track as long, chapters."""
    streams = info["streams"]
    video = [s for s in streams if s["codec_type"] == "video"]
    audio = [s for s in streams if s["codec_type"] == "audio"]
    if len(video) != 1 or len(audio) != 1 or audio[0]["codec_name"] != "aac":
        raise JoinError(f"joined video has {len(video)} video and {len(audio)} audio streams")
    v_len = float(video[0].get("duration") or info["format"]["duration"])
    a_len = float(audio[0].get("duration") or 0)
    fps = Fraction(video[0].get("r_frame_rate") or video[0]["avg_frame_rate"])
    frame = 1 / float(fps) if fps else 0.05
    if abs(v_len - float(total)) > frame + 1e-6:
        raise JoinError(f"joined video is {v_len:.3f} s, the scenes add up to {float(total):.3f} s")
    if abs(a_len - v_len) > 0.1:
        raise JoinError(f"audio track is {a_len:.3f} s, the video {v_len:.3f} s")
    if len(info.get("chapters", [])) != n_chapters:
        raise JoinError(f"joined video has {len(info.get('chapters', []))} chapters")
    return {"duration": v_len, "audio_duration": a_len}
