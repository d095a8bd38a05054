#!/usr/bin/env python3
"""Writes the seeds of fuzz_ws_frames into corpus/fuzz_ws_frames/.

Each seed is one byte for how many bytes each socket read returns (0: all at once), then the
bytes a browser sends after the upgrade. Frames from a browser are masked (RFC 6455 5.3); a few
seeds use the all-zero masking key, which leaves the payload readable, so that mutations of
the JSON reach the hub as they are.
Usage: tests/fuzz/make_ws_frame_seeds.py
"""
import os
import struct

MASK = b"\x37\xfa\x21\x3d"
ZERO = b"\0\0\0\0"
TEXT, BINARY, CONTINUATION, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


def frame(opcode, payload=b"", fin=True, masked=True, rsv=0, length=None, mask=MASK):
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | rsv << 4 | opcode])
    mask_bit = 0x80 if masked else 0
    if n < 126:
        head += bytes([mask_bit | n])
    elif n < 1 << 16:
        head += bytes([mask_bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack(">Q", n)
    if not masked:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def close(code, reason=b""):
    return frame(CLOSE, struct.pack(">H", code) + reason)


ALIVE = '{"packet_type":"alive","subject_id":"$AGENT","data":{"update_id":"u"}}'
HEARTBEAT = '{"packet_type":"heartbeat","subject_id":"$AGENT","client_timestamp":1.5}'
LIVE = '{"packet_type":"mephisto_bound_live_update","subject_id":"$AGENT","data":{"text":"x"}}'

SEEDS = {
    # Well-formed traffic, as a task page sends it.
    "alive": b"\0" + frame(TEXT, ALIVE),
    "heartbeat": b"\0" + frame(TEXT, HEARTBEAT),
    "alive_live_update": b"\0" + frame(TEXT, ALIVE) + frame(TEXT, LIVE),
    "fragmented_with_ping": b"\0"
    + frame(TEXT, ALIVE)
    + frame(TEXT, LIVE[:20], fin=False)
    + frame(PING, "p")
    + frame(CONTINUATION, LIVE[20:50], fin=False)
    + frame(CONTINUATION, LIVE[50:]),
    "ping_pong_close": b"\0" + frame(PING, "hello") + frame(PONG) + close(1000, b"bye"),
    "split_one_byte": b"\x01" + frame(TEXT, ALIVE) + frame(TEXT, HEARTBEAT) + close(1001),
    "split_seven_bytes": b"\x07"
    + frame(TEXT, ALIVE)
    + frame(TEXT, LIVE)
    + frame(PING)
    + close(1000),
    "utf8_split_across_fragments": b"\x03"
    + frame(TEXT, b'{"packet_type":"heartbeat","subject_id":"\xc3', fin=False)
    + frame(CONTINUATION, b'\xa9"}'),
    "length_126": b"\0"
    + frame(TEXT, '{"packet_type":"heartbeat","subject_id":"' + "b" * 120 + '"}'),
    "not_json": b"\0" + frame(TEXT, "hello"),
    "session_zero_mask": b"\0"
    + frame(TEXT, ALIVE, mask=ZERO)
    + frame(TEXT, HEARTBEAT, mask=ZERO)
    + frame(TEXT, LIVE, mask=ZERO)
    + frame(CLOSE, struct.pack(">H", 1000), mask=ZERO),
    "fragmented_zero_mask": b"\x05"
    + frame(TEXT, ALIVE, mask=ZERO)
    + frame(TEXT, LIVE[:30], fin=False, mask=ZERO)
    + frame(PING, "p", mask=ZERO)
    + frame(CONTINUATION, LIVE[30:], mask=ZERO),
    # What the router must refuse.
    "binary": b"\0" + frame(BINARY, b"\x00\x01\x02"),
    "unmasked": b"\0" + frame(TEXT, HEARTBEAT, masked=False),
    "reserved_opcode": b"\0" + frame(0x3, "x") + frame(0xB, ""),
    "oversize_length": b"\0" + frame(TEXT, "{}", length=1 << 40),
    "over_frame_limit": b"\0" + frame(TEXT, "", length=(1 << 20) + 1),
    "invalid_utf8": b"\0" + frame(TEXT, b'{"packet_type":"alive","subject_id":"\xc3\x28"}'),
    "surrogate_utf8": b"\0" + frame(TEXT, b'{"packet_type":"alive","subject_id":"\xed\xa0\x80"}'),
    "rsv1_without_deflate": b"\0" + frame(TEXT, ALIVE, rsv=4),
    "fragmented_ping": b"\0" + frame(PING, "p", fin=False),
    "long_ping": b"\0" + frame(PING, "p" * 126),
    "continuation_first": b"\0" + frame(CONTINUATION, "x"),
    "text_inside_fragments": b"\0" + frame(TEXT, "{", fin=False) + frame(TEXT, "}"),
    "close_bad_code": b"\0" + close(1005),
    "close_one_byte": b"\0" + frame(CLOSE, b"\x03"),
    "close_bad_reason": b"\0" + close(1000, b"\xff"),
    "data_after_close": b"\0" + close(1000) + frame(TEXT, ALIVE),
    "truncated_frame": b"\0" + frame(TEXT, ALIVE)[:-10],
}

if __name__ == "__main__":
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_ws_frames")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
