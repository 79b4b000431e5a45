"""ffprobe and ffmpeg on one scene's video: its streams, its exact length, its normalized copy."""

from __future__ import annotations

import json
import subprocess
from fractions import Fraction
from pathlib import Path

from rendering.settings import AUDIO_RATE

#: Seconds ffprobe may take on one file, and ffmpeg's stream copies beyond 2x the media's length.
PROBE_TIMEOUT = 120
COPY_TIMEOUT = 600


def ffprobe(path: str | Path) -> dict:
    """ffprobe's JSON for a media file: streams, format and chapters."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-show_chapters",
         "-of", "json", str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT,
    ).stdout  # fmt: skip
    return json.loads(out)


def video_seconds(info: dict) -> Fraction:
    """A file's video length, exactly: frames / frame rate."""
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    frames = video.get("nb_frames")
    rate = video.get("r_frame_rate") or video.get("avg_frame_rate")
    if frames and rate and rate != "0/0":
        return int(frames) / Fraction(rate)
    return Fraction(video.get("duration") or info["format"]["duration"]).limit_denominator(100000)


def normalize(src: str, dst: str, seconds: Fraction, had_audio: bool) -> None:
    """Same streams in every scene: the video as it is, and PCM audio exactly as long.

    Silent scenes get silence. PCM (no encoder delay) keeps the join exact; the film's one
    AAC track is encoded once, at the join.
    """
    length = f"{float(seconds):.6f}"
    if had_audio:
        audio_in: list[str] = []
        audio_map = "0:a:0"
        afilter = [
            "-af",
            f"aresample={AUDIO_RATE},aformat=sample_fmts=s16:channel_layouts=mono,"
            f"apad=whole_dur={length},atrim=end={length}",
        ]
    else:
        audio_in = ["-f", "lavfi", "-t", length, "-i", f"anullsrc=r={AUDIO_RATE}:cl=mono"]
        audio_map = "1:a:0"
        afilter = []
    proc = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", src, *audio_in,
         "-map", "0:v:0", "-map", audio_map, "-c:v", "copy", *afilter,
         "-c:a", "pcm_s16le", "-map_metadata", "-1", "-f", "mov", dst],
        capture_output=True,
        text=True,
        timeout=COPY_TIMEOUT + 2 * float(seconds),  # a copy: a hung ffmpeg is the only way past it
    )  # fmt: skip
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"status {proc.returncode}"]
        raise RuntimeError(f"ffmpeg could not normalize the scene: {lines[-1]}")
