"""Assemble the video guide from the manual's pictures (`make video`; needs ffmpeg).

Each step's picture stays on screen as long as its caption needs
(egov.manual_steps.timeline), so the video and its WebVTT captions stay in step. One
frame a second of still pages compresses to very little in VP9.
"""
import subprocess
import sys
import tempfile
from pathlib import Path

from egov.manual_steps import POSTER, VIDEO, timeline

STATIC = Path(__file__).resolve().parent.parent / "egov" / "static"


def main():
    pictures = STATIC / "guide"
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "steps.ffconcat"
        lines = ["ffconcat version 1.0"]
        for step, start, end in timeline():
            lines += [f"file '{pictures / (step.key + '.png')}'", f"duration {end - start}"]
        lines.append(lines[-2])  # the concat demuxer needs the last picture once more
        listing.write_text("\n".join(lines) + "\n")
        subprocess.run([
            "ffmpeg", "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
            "-vf", "fps=1,format=yuv420p", "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "42",
            "-g", "5", "-row-mt", "1", "-an", str(STATIC / VIDEO),
        ], check=True)
    first_report = pictures / "4-hesabat.png"
    subprocess.run([
        "ffmpeg", "-loglevel", "error", "-y", "-i", str(first_report),
        "-vf", "scale=640:-2", "-q:v", "7", str(STATIC / POSTER),
    ], check=True)
    for path in (STATIC / VIDEO, STATIC / POSTER):
        print(f"{path.relative_to(STATIC.parent.parent)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    sys.exit(main())
