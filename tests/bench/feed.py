#!/usr/bin/env python3
"""feed.py FRAMES PORT: copy FRAMES (octet-counted syslog messages, as written
by gen_stream.py --framed) to 127.0.0.1:PORT with sendfile(2), as fast as the
receiver reads, then close our side and wait until the peer closes its side
(so everything was read). Prints the seconds it took."""
import socket
import sys
import time

path, port = sys.argv[1], int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=600)
t0 = time.monotonic()
with open(path, "rb") as f:
    s.sendfile(f)
s.shutdown(socket.SHUT_WR)
while s.recv(4096):
    pass
s.close()
print("%.3f" % (time.monotonic() - t0))
