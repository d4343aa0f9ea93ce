"""Table tests for the video pipeline's pure rules: WebVTT from transcripts (timestamps, cue
ends, escaping), what ffprobe reports we accept, web sizes, progress lines, search moments."""

from __future__ import annotations

import pytest

from app.kb.media import rules
from app.kb.media.rules import Limits, VideoRejected
from app.kb.rules import parse_transcript

LIMITS = Limits(max_seconds=600, max_width=1920, max_height=1080, max_bytes=10_000_000)


@pytest.mark.parametrize(
    ("seconds", "stamp"),
    [(0, "00:00:00.000"), (95, "00:01:35.000"), (3599.5, "00:59:59.500"), (3725, "01:02:05.000"),
     (-3, "00:00:00.000")],
)  # fmt: skip
def test_vtt_timestamps(seconds, stamp):
    assert rules.vtt_timestamp(seconds) == stamp


def test_captions_end_at_the_next_line_and_the_last_at_the_end_of_the_video():
    cues = parse_transcript("[00:00] Hello.\n[00:07] The journal.\nmore of it\n[01:35] Tags.")
    vtt = rules.captions_vtt(cues, duration=120)
    assert vtt == (
        "WEBVTT\n\n"
        "1\n00:00:00.000 --> 00:00:07.000\nHello.\n\n"
        "2\n00:00:07.000 --> 00:01:35.000\nThe journal. more of it\n\n"
        "3\n00:01:35.000 --> 00:02:00.000\nTags.\n"
    )


def test_a_line_at_the_same_second_or_at_the_end_still_lasts_a_second():
    cues = [{"seconds": 5, "text": "a"}, {"seconds": 5, "text": "b"}, {"seconds": 9, "text": "c"}]
    vtt = rules.captions_vtt(cues, duration=9)
    assert "00:00:05.000 --> 00:00:06.000\na" in vtt
    assert "00:00:09.000 --> 00:00:10.000\nc" in vtt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tap Next --> Save", "Tap Next --&gt; Save"),
        ("<b>bold</b> & <i>", "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;i&gt;"),
        ("two\n\nlines", "two lines"),
        ("&amp; stays literal", "&amp;amp; stays literal"),
    ],
)  # fmt: skip
def test_cue_text_cannot_end_a_cue_or_add_markup(text, expected):
    assert rules.vtt_text(text) == expected
    vtt = rules.captions_vtt([{"seconds": 0, "text": text}], duration=5)
    body = vtt.split("\n", 4)[4]
    assert "-->" not in body and "<" not in body and "\n\n" not in body.rstrip("\n")


def test_chapters_track_names_each_chapter():
    chapters = [{"start": 0, "title": "Why <keep> a journal"}, {"start": 30, "title": "First"}]
    assert rules.chapters_vtt(chapters, duration=45) == (
        "WEBVTT\n\n"
        "chapter-1\n00:00:00.000 --> 00:00:30.000\nWhy &lt;keep&gt; a journal\n\n"
        "chapter-2\n00:00:30.000 --> 00:00:45.000\nFirst\n"
    )


def _report(container="mov,mp4,m4a,3gp,3g2,mj2", vcodec="h264", acodec="aac", width=640,
            height=360, duration="12.5", cover=False):  # fmt: skip
    streams = []
    if vcodec:
        streams.append({"codec_type": "video", "codec_name": vcodec, "width": width,
                        "height": height, "disposition": {"attached_pic": int(cover)}})  # fmt: skip
    if acodec:
        streams.append({"codec_type": "audio", "codec_name": acodec})
    return {"format": {"format_name": container, "duration": duration}, "streams": streams}


def test_a_normal_video_is_accepted_with_what_ffprobe_read():
    probed = rules.check_probe(_report(), 1_000_000, LIMITS)
    assert (probed.video_codec, probed.audio_codec, probed.width, probed.height) == (
        "h264",
        "aac",
        640,
        360,
    )
    assert probed.duration == 12.5
    assert rules.check_probe(_report(container="matroska,webm", vcodec="vp9", acodec=None),
                             10, LIMITS).audio_codec is None  # fmt: skip


@pytest.mark.parametrize(
    ("report", "size", "message"),
    [
        (None, 10, "not a video we can read"),
        ({}, 10, "not a video we can read"),
        (_report(container="png_pipe"), 10, "not an MP4, MOV, WebM or MKV"),
        (_report(container="zip"), 10, "not an MP4, MOV, WebM or MKV"),
        (_report(vcodec=None), 10, "no video picture"),
        (_report(cover=True), 10, "no video picture"),
        (_report(vcodec="gif"), 10, "gif is not supported"),
        (_report(acodec="dts"), 10, "dts is not supported"),
        (_report(width=4000, height=300), 10, "4000×300"),  # noqa: RUF001
        (_report(width=1080, height=1920), 10, "largest accepted is 1920×1080"),  # noqa: RUF001
        (_report(width=0), 10, "size cannot be read"),
        (_report(duration="N/A"), 10, "length cannot be read"),
        (_report(duration="0"), 10, "length cannot be read"),
        (_report(duration="36000"), 10, "600 minutes long; the limit is 10 minutes"),
        (_report(), 10_000_001, "the limit is 10 MB"),
    ],
)  # fmt: skip
def test_refused_files_say_why(report, size, message):
    with pytest.raises(VideoRejected) as refused:
        rules.check_probe(report, size, LIMITS)
    assert message in refused.value.message
    assert refused.value.field == "video"


@pytest.mark.parametrize(
    ("size", "max_height", "expected"),
    [((1920, 1080), 720, (1280, 720)), ((640, 360), 720, (640, 360)),
     ((1080, 1920), 720, (404, 720)), ((641, 361), 720, (640, 360)),
     ((3840, 1605), 720, (1722, 720))],
)  # fmt: skip
def test_web_size_keeps_the_aspect_and_even_sides(size, max_height, expected):
    assert rules.web_size(*size, max_height) == expected


def test_progress_lines():
    assert rules.progress_seconds("out_time_us=2500000\n") == 2.5
    assert rules.progress_seconds("out_time_ms=1000000") == 1.0
    assert rules.progress_seconds("frame=12") is None
    assert rules.progress_seconds("out_time_us=N/A") is None
    assert rules.progress_percent(5, 10) == 50
    assert rules.progress_percent(12, 10) == 99  # 100 only once the file is stored
    assert rules.progress_percent(1, 0) == 0


def test_speech_rate_fits_the_line_into_its_slot():
    assert rules.speech_rate(10, 10) == 165  # slow enough at the normal rate
    assert rules.speech_rate(30, 7) > 165
    assert rules.speech_rate(200, 1) == 320


def test_the_fingerprint_changes_with_any_input():
    base = rules.starter_fingerprint("s", "T", {"duration": 9, "chapters": []}, "[00:00] a", "1")
    assert base == rules.starter_fingerprint(
        "s", "T", {"duration": 9, "chapters": []}, "[00:00] a", "1"
    )
    assert base != rules.starter_fingerprint(
        "s", "T", {"duration": 9, "chapters": []}, "[00:00] b", "1"
    )
    assert base != rules.starter_fingerprint(
        "s", "T", {"duration": 9, "chapters": []}, "[00:00] a", "2"
    )
    assert base != rules.starter_fingerprint(
        "s", "T", {"duration": 8, "chapters": []}, "[00:00] a", "1"
    )


JOURNAL = parse_transcript(
    "[00:00] Hi, this time we're looking at the grow journal app.\n"
    "[01:11] Below the note are quick tags for the app.\n"
    "[02:25] Now for my favourite part: harvests.\n"
    "[02:30] I picked some courgettes and tap the Harvest tag in the app.\n"
)


@pytest.mark.parametrize(
    ("words", "moment"),
    [(["harvest"], 145), (["how", "to", "harvest"], 145), (["courgettes"], 150),
     (["Harvest", "courgettes"], 150), (["app", "tags"], 71), (["nothing"], None), (["to"], None),
     ([], None)],
)  # fmt: skip
def test_search_moment_is_the_line_the_rarest_words_are_on(words, moment):
    assert rules.moment_of(JOURNAL, words) == moment


def test_a_chapter_about_the_words_wins_over_a_passing_mention():
    cues = parse_transcript("[00:07] Photos, notes, harvests.\n[02:30] Tap the Harvest tag.")
    chapters = [
        {"start": 0, "title": "Why keep a journal"},
        {"start": 145, "title": "Logging a harvest"},
    ]
    assert rules.moment_of(cues, ["harvest"], chapters) == 145
    assert rules.moment_of(cues, ["harvest"]) == 7
    assert rules.moment_of(cues, ["tag"], chapters) == 150  # no chapter about it: the line
