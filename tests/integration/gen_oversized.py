#!/usr/bin/env python3
"""gen_oversized.py -- a stream of audit events with oversized ones in it.

  gen_oversized.py N BYTES[,BYTES...] [--host H] > stream.log

N ordinary execve events (SYSCALL, EXECVE, CWD, PATH x2, PROCTITLE, EOE),
serials 1..N; after event i*N/(k+1) for the k-th size, one more execve
event whose arguments hold BYTES bytes, written as auditd writes a long
command line: several EXECVE records of at most ~7500 bytes of argument
text each (MAX_EXECVE_AUDIT_LEN), a long argument hex encoded as
aN_len=L aN[0]=... aN[1]=... pieces that may continue in the next record,
short ones as aN="...". Half the bytes are one classpath-like argument,
the rest many short options (a Java command line). The oversized events
get serials 1000001, 1000002, ... and the rule key "big".
Prints to stderr one line per oversized event: "serial argc bytes".
"""
import sys

CHUNK = 7500          # the kernel's MAX_EXECVE_AUDIT_LEN: bytes of text per record


def stamp(serial, ms):
    return "audit(1700001000.%03d:%d)" % (ms % 1000, serial)


def normal(serial, node):
    a = stamp(serial, serial)
    p = "node=%s " % node if node else ""
    return [
        p + "type=SYSCALL msg=%s: arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 "
        "a2=55d2 a3=8 items=2 ppid=1201 pid=%d auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 "
        "fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts1 ses=3 comm=\"ls\" exe=\"/usr/bin/ls\" "
        "key=\"exec\"" % (a, 2000 + serial % 30000),
        p + "type=EXECVE msg=%s: argc=3 a0=\"ls\" a1=\"-la\" a2=\"/tmp/dir%d\"" % (a, serial),
        p + "type=CWD msg=%s: cwd=\"/home/alice\"" % a,
        p + "type=PATH msg=%s: item=0 name=\"/usr/bin/ls\" inode=1835045 dev=fd:01 mode=0100755 "
        "ouid=0 ogid=0 rdev=00:00 nametype=NORMAL" % a,
        p + "type=PATH msg=%s: item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=1835046 "
        "dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL" % a,
        p + "type=PROCTITLE msg=%s: proctitle=6C73002D6C61" % a,
        p + "type=EOE msg=%s: " % a,
    ]


def big_args(nbytes):
    cp = ":".join("/opt/app/lib/lib%05d.jar" % i for i in range(nbytes // 2 // 24 + 1))
    args = ["java", "-cp", cp[: nbytes // 2]]
    used = sum(map(len, args))
    i = 0
    while used < nbytes - 20:
        a = "-Dopt%05d=value-%05d-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" % (i, i)
        args.append(a)
        used += len(a)
        i += 1
    args.append("com.example.Main")
    return args


def execve_records(args, a, p):
    """EXECVE records as the kernel splits them"""
    recs, cur, room = [], "argc=%d" % len(args), CHUNK
    for n, arg in enumerate(args):
        if len(arg) < 512 and '"' not in arg and " " not in arg:
            tok = ' a%d="%s"' % (n, arg)
            if len(tok) > room:
                recs.append(cur)
                cur, room = "", CHUNK
            cur += tok
            room -= len(tok)
            continue
        hexa = arg.encode().hex().upper()
        tok = " a%d_len=%d" % (n, len(arg))
        cur += tok
        room -= len(tok)
        piece = 0
        while hexa:
            if room < 64:
                recs.append(cur)
                cur, room = "", CHUNK
            take = hexa[: (room - 16) // 2 * 2]
            hexa = hexa[len(take):]
            tok = " a%d[%d]=%s" % (n, piece, take)
            cur += tok
            room -= len(tok)
            piece += 1
    recs.append(cur)
    return [p + "type=EXECVE msg=%s: %s" % (a, r.lstrip(" ") if i == 0 else r)
            for i, r in enumerate(recs)]


def big(serial, nbytes, node):
    a = stamp(serial, 500)
    p = "node=%s " % node if node else ""
    args = big_args(nbytes)
    out = [p + "type=SYSCALL msg=%s: arch=c000003e syscall=59 success=yes exit=0 a0=55e0 a1=55e1 "
           "a2=55e2 a3=8 items=2 ppid=1201 pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 "
           "suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts1 ses=3 comm=\"java\" "
           "exe=\"/usr/bin/java\" key=\"big\"" % a]
    out += execve_records(args, a, p)
    out += [p + "type=CWD msg=%s: cwd=\"/srv/app\"" % a,
            p + "type=PATH msg=%s: item=0 name=\"/usr/bin/java\" inode=1 dev=fd:01 mode=0100755 "
            "ouid=0 ogid=0 rdev=00:00 nametype=NORMAL" % a,
            p + "type=PROCTITLE msg=%s: proctitle=6A617661002D6370" % a,
            p + "type=EOE msg=%s: " % a]
    sys.stderr.write("%d %d %d\n" % (serial, len(args), sum(map(len, args))))
    return out


def main():
    n = int(sys.argv[1])
    sizes = [int(s) for s in sys.argv[2].split(",") if s]
    node = sys.argv[sys.argv.index("--host") + 1] if "--host" in sys.argv else ""
    at = {(k + 1) * n // (len(sizes) + 1): s for k, s in enumerate(sizes)}
    out = sys.stdout
    nbig = 0
    for i in range(1, n + 1):
        out.write("\n".join(normal(i, node)) + "\n")
        if i in at:
            nbig += 1
            out.write("\n".join(big(1000000 + nbig, at[i], node)) + "\n")


main()
