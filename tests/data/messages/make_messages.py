#!/usr/bin/env python3
"""Writes the test and example SIP messages as raw bytes with CRLF line ends.

Messages are kept here as text (LF line ends, which become CRLF) plus optional raw tail bytes;
"{CL}" is replaced by the length of the body (the bytes after the first empty line), so bodies
can be edited freely. Run: python3 make_messages.py (from anywhere).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))


def render(text, tail=b""):
    text = text.lstrip("\n")
    data = text.replace("\n", "\r\n").encode("utf-8") + tail
    sep = data.find(b"\r\n\r\n")
    if b"{CL}" in data and sep >= 0:
        body = data[sep + 4:]
        data = data.replace(b"{CL}", str(len(body)).encode())
    return data


def write_all(messages, directory):
    os.makedirs(directory, exist_ok=True)
    for name, (text, tail) in messages.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(render(text, tail))


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    import rfc4475_messages
    import example_messages
    write_all(rfc4475_messages.MESSAGES, os.path.join(HERE, "rfc4475"))
    write_all(example_messages.MESSAGES, os.path.join(ROOT, "examples", "messages"))
