/* interpret.c -- the interpreters: one small function per kind of audit
 * value (arch, syscall, errno, mode, permissions, capabilities, sockaddr,
 * signals, flags, syscall arguments, ...), each giving what auparse prints,
 * and the code -> name tables they need that libaudit does not export.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <libaudit.h>
#include <linux/capability.h>
#include <linux/net.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "interpret.h"

#define ARRAY_LEN(a)        (sizeof(a) / sizeof((a)[0]))
#define HEX_BASE            16
#define DEC_BASE            10
#define OCT_BASE            8

#define SIGNAL_NAMED_MAX    32              /* auparse names signals < 32 */
#define SESSION_UNSET       "4294967295"
#define SUCCESS_FAILED      0
#define SUCCESS_SUCCEEDED   1
#define PERM_ALL            0x0F            /* the kernel's "0 means all" */
#define MODE_PERM_BITS      (S_IRWXU | S_IRWXG | S_IRWXO)
#define SECCOMP_ACTION_MASK 0x7fff0000U
#define CLONE_SIGNAL_MASK   0xFFU
#define SOCKTYPE_MASK       0xFFU
#define OPEN_ACCMODE_MASK   O_ACCMODE
#define MMAP_TYPE_MASK      0x0FU           /* no MAP_SHARED/PRIVATE bits */
#define PROT_RWX_MASK       0x07U
#define PROT_ENTRIES_MMAP   4               /* incl. PROT_SEM */
#define PROT_ENTRIES_MPROT  3
#define ACCESS_MODE_MASK    0x0FU
#define ACCESS_ENTRIES      3
#define AT_FDCWD_32         0xffffff9cU     /* AT_FDCWD as written in a0 */
#define MACPROTO_IP         0x0800
#define MACPROTO_ARP        0x0806
#define FAN_ALLOW_CODE      1
#define FAN_DENY_CODE       2
#define NLGRP_READLOG_CODE  1
#define CAP_WORD_BITS       32
#define UNIX_PATH_MAX_LEN   108
#define SA_FAMILY_LEN       2
#define UNIX_MIN_LEN        4
#define INET_LEN            16              /* sizeof(struct sockaddr_in) */
#define INET6_LEN           28              /* sizeof(struct sockaddr_in6) */
#define NETLINK_LEN         12              /* sizeof(struct sockaddr_nl) */
#define INET_PORT_OFF       2
#define INET_ADDR_OFF       4
#define INET6_ADDR_OFF      8
#define NETLINK_PID_OFF     4
#define PROTO_BUF_LEN       1024            /* getprotobynumber_r scratch */
#define ADDR_TEXT_LEN       64              /* >= INET6_ADDRSTRLEN */
#define SOCKADDR_MAX_BYTES  256             /* longer input is not a sockaddr */
#define ESC_BYTE            0x1B
#define DEL_CHAR            0x7F
#define PRCTL_CAPBSET_READ  23
#define PRCTL_CAPBSET_DROP  24
#define PRCTL_SET_PDEATHSIG 1

struct code_name {
	unsigned long long code;
	const char *name;
};

/* ---- tables (facts from the kernel ABI; names as auparse prints them) -- */

static const struct code_name cap_names[] = {
	{ 0, "chown" }, { 1, "dac_override" }, { 2, "dac_read_search" },
	{ 3, "fowner" }, { 4, "fsetid" }, { 5, "kill" }, { 6, "setgid" },
	{ 7, "setuid" }, { 8, "setpcap" }, { 9, "linux_immutable" },
	{ 10, "net_bind_service" }, { 11, "net_broadcast" }, { 12, "net_admin" },
	{ 13, "net_raw" }, { 14, "ipc_lock" }, { 15, "ipc_owner" },
	{ 16, "sys_module" }, { 17, "sys_rawio" }, { 18, "sys_chroot" },
	{ 19, "sys_ptrace" }, { 20, "sys_pacct" }, { 21, "sys_admin" },
	{ 22, "sys_boot" }, { 23, "sys_nice" }, { 24, "sys_resource" },
	{ 25, "sys_time" }, { 26, "sys_tty_config" }, { 27, "mknod" },
	{ 28, "lease" }, { 29, "audit_write" }, { 30, "audit_control" },
	{ 31, "setfcap" }, { 32, "mac_override" }, { 33, "mac_admin" },
	{ 34, "syslog" }, { 35, "wake_alarm" }, { 36, "block_suspend" },
	{ 37, "audit_read" }, { 38, "perfmon" }, { 39, "bpf" },
	{ 40, "checkpoint_restore" },
};

static const struct code_name family_names[] = {
	{ AF_LOCAL, "local" }, { AF_INET, "inet" }, { AF_AX25, "ax25" },
	{ AF_IPX, "ipx" }, { AF_APPLETALK, "appletalk" }, { AF_NETROM, "netrom" },
	{ AF_BRIDGE, "bridge" }, { AF_ATMPVC, "atmpvc" }, { AF_X25, "x25" },
	{ AF_INET6, "inet6" }, { AF_ROSE, "rose" }, { AF_DECnet, "decnet" },
	{ AF_NETBEUI, "netbeui" }, { AF_SECURITY, "security" }, { AF_KEY, "key" },
	{ AF_NETLINK, "netlink" }, { AF_PACKET, "packet" }, { AF_ASH, "ash" },
	{ AF_ECONET, "econet" }, { AF_ATMSVC, "atmsvc" }, { AF_RDS, "rds" },
	{ AF_SNA, "sna" }, { AF_IRDA, "irda" }, { AF_PPPOX, "pppox" },
	{ AF_WANPIPE, "wanpipe" }, { AF_LLC, "llc" }, { AF_CAN, "can" },
	{ AF_TIPC, "tipc" }, { AF_BLUETOOTH, "bluetooth" }, { AF_IUCV, "iucv" },
	{ AF_RXRPC, "rxrpc" }, { AF_ISDN, "isdn" }, { AF_PHONET, "phonet" },
	{ AF_IEEE802154, "ieee802154" }, { 37, "caif" }, { 38, "alg" },
	{ 39, "nfc" }, { 40, "vsock" }, { 41, "kcm" }, { 42, "qipcrtr" },
	{ 43, "smc" }, { 44, "xdp" },
};

static const struct code_name signal_names[] = {
	{ 0, "SIG0" }, { 1, "SIGHUP" }, { 2, "SIGINT" }, { 3, "SIGQUIT" },
	{ 4, "SIGILL" }, { 5, "SIGTRAP" }, { 6, "SIGABRT" }, { 7, "SIGBUS" },
	{ 8, "SIGFPE" }, { 9, "SIGKILL" }, { 10, "SIGUSR1" }, { 11, "SIGSEGV" },
	{ 12, "SIGUSR2" }, { 13, "SIGPIPE" }, { 14, "SIGALRM" }, { 15, "SIGTERM" },
	{ 16, "SIGSTKFLT" }, { 17, "SIGCHLD" }, { 18, "SIGCONT" },
	{ 19, "SIGSTOP" }, { 20, "SIGTSTP" }, { 21, "SIGTTIN" }, { 22, "SIGTTOU" },
	{ 23, "SIGURG" }, { 24, "SIGXCPU" }, { 25, "SIGXFSZ" }, { 26, "SIGVTALRM" },
	{ 27, "SIGPROF" }, { 28, "SIGWINCH" }, { 29, "SIGIO" }, { 30, "IGPWR" },
	{ 31, "SIGSYS" },
};

static const struct code_name socktype_names[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" },
	{ 4, "SOCK_RDM" }, { 5, "SOCK_SEQPACKET" }, { 6, "SOCK_DCCP" },
	{ 10, "SOCK_PACKET" },
};

static const struct code_name nfproto_names[] = {
	{ 0, "unspecified" }, { 1, "inet" }, { 2, "ipv4" }, { 3, "arp" },
	{ 5, "netdev" }, { 7, "bridge" }, { 10, "ipv6" }, { 12, "decnet" },
};

static const struct code_name oflag_names[] = {
	{ 01, "O_WRONLY" }, { 02, "O_RDWR" }, { 0100, "O_CREAT" },
	{ 0200, "O_EXCL" }, { 0400, "O_NOCTTY" }, { 01000, "O_TRUNC" },
	{ 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" }, { 010000, "O_DSYNC" },
	{ 020000, "O_ASYNC" }, { 040000, "O_DIRECT" }, { 0200000, "O_DIRECTORY" },
	{ 0400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" }, { 04000000, "__O_SYNC" },
	{ 010000000, "O_PATH" }, { 020000000, "__O_TMPFILE" },
};

static const struct code_name mmap_names[] = {
	{ 0x0000001, "MAP_SHARED" }, { 0x0000002, "MAP_PRIVATE" },
	{ 0x0000010, "MAP_FIXED" }, { 0x0000020, "MAP_ANONYMOUS" },
	{ 0x0000040, "MAP_32BIT" }, { 0x0000100, "MAP_GROWSDOWN" },
	{ 0x0000800, "MAP_DENYWRITE" }, { 0x0001000, "MAP_EXECUTABLE" },
	{ 0x0002000, "MAP_LOCKED" }, { 0x0004000, "MAP_NORESERVE" },
	{ 0x0008000, "MAP_POPULATE" }, { 0x0010000, "MAP_NONBLOCK" },
	{ 0x0020000, "MAP_STACK" }, { 0x0040000, "MAP_HUGETLB" },
	{ 0x0080000, "MAP_SYNC" }, { 0x0100000, "MAP_FIXED_NOREPLACE" },
	{ 0x4000000, "MAP_UNINITIALIZED" },
};

static const struct code_name prot_names[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
	{ 8, "PROT_SEM" },
};

static const struct code_name clone_names[] = {
	{ 0x00000100ULL, "CLONE_VM" }, { 0x00000200ULL, "CLONE_FS" },
	{ 0x00000400ULL, "CLONE_FILES" }, { 0x00000800ULL, "CLONE_SIGHAND" },
	{ 0x00002000ULL, "CLONE_PTRACE" }, { 0x00004000ULL, "CLONE_VFORK" },
	{ 0x00008000ULL, "CLONE_PARENT" }, { 0x00010000ULL, "CLONE_THREAD" },
	{ 0x00020000ULL, "CLONE_NEWNS" }, { 0x00040000ULL, "CLONE_SYSVSEM" },
	{ 0x00080000ULL, "CLONE_SETTLS" }, { 0x00100000ULL, "CLONE_PARENT_SETTID" },
	{ 0x00200000ULL, "CLONE_CHILD_CLEARTID" },
	{ 0x00400000ULL, "CLONE_DETACHED" }, { 0x00800000ULL, "CLONE_UNTRACED" },
	{ 0x01000000ULL, "CLONE_CHILD_SETTID" }, { 0x02000000ULL, "CLONE_STOPPED" },
	{ 0x04000000ULL, "CLONE_NEWUTS" }, { 0x08000000ULL, "CLONE_NEWIPC" },
	{ 0x10000000ULL, "CLONE_NEWUSER" }, { 0x20000000ULL, "CLONE_NEWPID" },
	{ 0x40000000ULL, "CLONE_NEWNET" }, { 0x80000000ULL, "CLONE_IO" },
	{ 0x100000000ULL, "CLONE_CLEAR_SIGHAND" },
};

static const struct code_name seccomp_names[] = {
	{ 0x80000000U, "kill-process" }, { 0x00000000U, "kill" },
	{ 0x00030000U, "trap" }, { 0x00050000U, "errno" },
	{ 0x7fc00000U, "user-notify" }, { 0x7ff00000U, "trace" },
	{ 0x7ffc0000U, "log" }, { 0x7fff0000U, "allow" },
};

static const struct code_name mount_names[] = {
	{ MS_RDONLY, "MS_RDONLY" }, { MS_NOSUID, "MS_NOSUID" },
	{ MS_NODEV, "MS_NODEV" }, { MS_NOEXEC, "MS_NOEXEC" },
	{ MS_SYNCHRONOUS, "MS_SYNCHRONOUS" }, { MS_REMOUNT, "MS_REMOUNT" },
	{ MS_MANDLOCK, "MS_MANDLOCK" }, { MS_DIRSYNC, "MS_DIRSYNC" },
	{ MS_NOATIME, "MS_NOATIME" }, { MS_NODIRATIME, "MS_NODIRATIME" },
	{ MS_BIND, "MS_BIND" }, { MS_MOVE, "MS_MOVE" }, { MS_REC, "MS_REC" },
	{ MS_SILENT, "MS_SILENT" }, { MS_POSIXACL, "MS_POSIXACL" },
	{ MS_UNBINDABLE, "MS_UNBINDABLE" }, { MS_PRIVATE, "MS_PRIVATE" },
	{ MS_SLAVE, "MS_SLAVE" }, { MS_SHARED, "MS_SHARED" },
	{ MS_RELATIME, "MS_RELATIME" }, { MS_KERNMOUNT, "MS_KERNMOUNT" },
	{ MS_I_VERSION, "MS_I_VERSION" }, { (1<<24), "MS_STRICTATIME" },
	{ (1<<25), "MS_LAZYTIME" }, { (1<<26), "MS_SUBMOUNT" },
	{ (1<<27), "MS_SNAP_STABLE" }, { (1<<28), "MS_NOSEC" },
	{ (1<<29), "MS_BORN" }, { MS_ACTIVE, "MS_ACTIVE" },
	{ MS_NOUSER, "MS_NOUSER" },
};

static const struct code_name recv_names[] = {
	{ 0x00000001, "MSG_OOB" }, { 0x00000002, "MSG_PEEK" },
	{ 0x00000004, "MSG_DONTROUTE" }, { 0x00000008, "MSG_CTRUNC" },
	{ 0x00000010, "MSG_PROXY" }, { 0x00000020, "MSG_TRUNC" },
	{ 0x00000040, "MSG_DONTWAIT" }, { 0x00000080, "MSG_EOR" },
	{ 0x00000100, "MSG_WAITALL" }, { 0x00000200, "MSG_FIN" },
	{ 0x00000400, "MSG_SYN" }, { 0x00000800, "MSG_CONFIRM" },
	{ 0x00001000, "MSG_RST" }, { 0x00002000, "MSG_ERRQUEUE" },
	{ 0x00004000, "MSG_NOSIGNAL" }, { 0x00008000, "MSG_MORE" },
	{ 0x00010000, "MSG_WAITFORONE" }, { 0x00020000, "MSG_SENDPAGE_NOTLAST" },
	{ 0x00040000, "MSG_BATCH" }, { 0x20000000, "MSG_FASTOPEN" },
	{ 0x40000000, "MSG_CMSG_CLOEXEC" }, { 0x80000000, "MSG_CMSG_COMPAT" },
};

static const struct code_name ptrace_names[] = {
	{ 0, "PTRACE_TRACEME" }, { 1, "PTRACE_PEEKTEXT" }, { 2, "PTRACE_PEEKDATA" },
	{ 3, "PTRACE_PEEKUSER" }, { 4, "PTRACE_POKETEXT" },
	{ 5, "PTRACE_POKEDATA" }, { 6, "PTRACE_POKEUSER" }, { 7, "PTRACE_CONT" },
	{ 8, "PTRACE_KILL" }, { 9, "PTRACE_SINGLESTEP" }, { 12, "PTRACE_GETREGS" },
	{ 13, "PTRACE_SETREGS" }, { 14, "PTRACE_GETFPREGS" },
	{ 15, "PTRACE_SETFPREGS" }, { 16, "PTRACE_ATTACH" },
	{ 17, "PTRACE_DETACH" }, { 18, "PTRACE_GETFPXREGS" },
	{ 19, "PTRACE_SETFPXREGS" }, { 24, "PTRACE_SYSCALL" },
	{ 25, "PTRACE_GET_THREAD_AREA" }, { 26, "PTRACE_SET_THREAD_AREA" },
	{ 30, "PTRACE_ARCH_PRCTL" }, { 31, "PTRACE_SYSEMU" },
	{ 32, "PTRACE_SYSEMU_SINGLESTEP" }, { 33, "PTRACE_SINGLEBLOCK" },
	{ 0x4200, "PTRACE_SETOPTIONS" }, { 0x4201, "PTRACE_GETEVENTMSG" },
	{ 0x4202, "PTRACE_GETSIGINFO" }, { 0x4203, "PTRACE_SETSIGINFO" },
	{ 0x4204, "PTRACE_GETREGSET" }, { 0x4205, "PTRACE_SETREGSET" },
	{ 0x4206, "PTRACE_SEIZE" }, { 0x4207, "PTRACE_INTERRUPT" },
	{ 0x4208, "PTRACE_LISTEN" }, { 0x4209, "PTRACE_PEEKSIGINFO" },
	{ 0x420a, "PTRACE_GETSIGMASK" }, { 0x420b, "PTRACE_SETSIGMASK" },
	{ 0x420c, "PTRACE_SECCOMP_GET_FILTER" },
	{ 0x420d, "PTRACE_SECCOMP_GET_METADATA" },
	{ 0x420e, "PTRACE_GET_SYSCALL_INFO" },
};

static const struct code_name socketcall_names[] = {
	{ SYS_SOCKET, "socket" }, { SYS_BIND, "bind" }, { SYS_CONNECT, "connect" },
	{ SYS_LISTEN, "listen" }, { SYS_ACCEPT, "accept" },
	{ SYS_GETSOCKNAME, "getsockname" }, { SYS_GETPEERNAME, "getpeername" },
	{ SYS_SOCKETPAIR, "socketpair" }, { SYS_SEND, "send" },
	{ SYS_RECV, "recv" }, { SYS_SENDTO, "sendto" },
	{ SYS_RECVFROM, "recvfrom" }, { SYS_SHUTDOWN, "shutdown" },
	{ SYS_SETSOCKOPT, "setsockopt" }, { SYS_GETSOCKOPT, "getsockopt" },
	{ SYS_SENDMSG, "sendmsg" }, { SYS_RECVMSG, "recvmsg" },
	{ SYS_ACCEPT4, "accept4" }, { 19, "recvmmsg" }, { 20, "sendmmsg" },
};

static const struct code_name icmptype_names[] = {
	{ 0, "echo-reply" }, { 3, "destination-unreachable" },
	{ 4, "source-quench" }, { 5, "redirect" }, { 8, "echo" },
	{ 11, "time-exceeded" }, { 12, "parameter-problem" },
	{ 13, "timestamp-request" }, { 14, "timestamp-reply" },
	{ 15, "info-request" }, { 16, "info-reply" },
	{ 17, "address-mask-request" }, { 18, "address-mask-reply" },
};

static const struct code_name socklevel_names[] = {
	{ 0, "SOL_IP" }, { 6, "SOL_TCP" }, { 17, "SOL_UDP" }, { 41, "SOL_IPV6" },
	{ 58, "SOL_ICMPV6" }, { 132, "SOL_SCTP" }, { 136, "SOL_UDPLITE" },
	{ 255, "SOL_RAW" }, { 256, "SOL_IPX" }, { 257, "SOL_AX25" },
	{ 258, "SOL_ATALK" }, { 259, "SOL_NETROM" }, { 260, "SOL_ROSE" },
	{ 261, "SOL_DECNET" }, { 263, "SOL_PACKET" }, { 264, "SOL_ATM" },
	{ 265, "SOL_AAL" }, { 266, "SOL_IRDA" }, { 267, "SOL_NETBEUI" },
	{ 268, "SOL_LLC" }, { 269, "SOL_DCCP" }, { 270, "SOL_NETLINK" },
	{ 271, "SOL_TIPC" }, { 272, "SOL_RXRPC" }, { 273, "SOL_PPPOL2TP" },
	{ 274, "SOL_BLUETOOTH" }, { 275, "SOL_PNPIPE" }, { 276, "SOL_RDS" },
	{ 277, "SOL_IUCV" }, { 278, "SOL_CAIF" }, { 279, "SOL_ALG" },
	{ 280, "SOL_NFC" }, { 281, "SOL_KCM" }, { 282, "SOL_TLS" },
	{ 283, "SOL_XDP" },
};

static const struct code_name sockopt_names[] = {
	{ 1, "SO_DEBUG" }, { 2, "SO_REUSEADDR" }, { 3, "SO_TYPE" },
	{ 4, "SO_ERROR" }, { 5, "SO_DONTROUTE" }, { 6, "SO_BROADCAST" },
	{ 7, "SO_SNDBUF" }, { 8, "SO_RCVBUF" }, { 9, "SO_KEEPALIVE" },
	{ 10, "SO_OOBINLINE" }, { 11, "SO_NO_CHECK" }, { 12, "SO_PRIORITY" },
	{ 13, "SO_LINGER" }, { 14, "SO_BSDCOMPAT" }, { 15, "SO_REUSEPORT" },
	{ 16, "SO_PASSCRED" }, { 17, "SO_PEERCRED" }, { 18, "SO_RCVLOWAT" },
	{ 19, "SO_SNDLOWAT" }, { 20, "SO_RCVTIMEO" }, { 21, "SO_SNDTIMEO" },
	{ 22, "SO_SECURITY_AUTHENTICATION" },
	{ 23, "SO_SECURITY_ENCRYPTION_TRANSPORT" },
	{ 24, "SO_SECURITY_ENCRYPTION_NETWORK" }, { 25, "SO_BINDTODEVICE" },
	{ 26, "SO_ATTACH_FILTER" }, { 27, "SO_DETACH_FILTER" },
	{ 28, "SO_PEERNAME" }, { 29, "SO_TIMESTAMP" }, { 30, "SO_ACCEPTCONN" },
	{ 31, "SO_PEERSEC" }, { 32, "SO_SNDBUFFORCE" }, { 33, "SO_RCVBUFFORCE" },
	{ 34, "SO_PASSSEC" }, { 35, "SO_TIMESTAMPNS" }, { 36, "SO_MARK" },
	{ 37, "SO_TIMESTAMPING" }, { 38, "SO_PROTOCOL" }, { 39, "SO_DOMAIN" },
	{ 40, "SO_RXQ_OVFL" }, { 41, "SO_WIFI_STATUS" }, { 42, "SO_PEEK_OFF" },
	{ 43, "SO_NOFCS" }, { 44, "SO_LOCK_FILTER" }, { 45, "SO_SELECT_ERR_QUEUE" },
	{ 46, "SO_BUSY_POLL" }, { 47, "SO_MAX_PACING_RATE" },
	{ 48, "SO_BPF_EXTENSIONS" }, { 49, "SO_INCOMING_CPU" },
	{ 50, "SO_ATTACH_BPF" }, { 51, "SO_ATTACH_REUSEPORT_CBPF" },
	{ 52, "SO_ATTACH_REUSEPORT_EBPF" }, { 53, "SO_CNX_ADVICE" },
	{ 54, "SCM_TIMESTAMPING_OPT_STATS" }, { 55, "SO_MEMINFO" },
	{ 56, "SO_INCOMING_NAPI_ID" }, { 57, "SO_COOKIE" },
	{ 58, "SCM_TIMESTAMPING_PKTINFO" }, { 59, "SO_PEERGROUPS" },
	{ 60, "SO_ZEROCOPY" }, { 61, "SO_TXTIME" }, { 62, "SO_BINDTOIFINDEX" },
	{ 63, "SO_TIMESTAMP_NEW" }, { 64, "SO_TIMESTAMPNS_NEW" },
	{ 65, "SO_TIMESTAMPING_NEW" }, { 66, "SO_RCVTIMEO_NEW" },
	{ 67, "SO_SNDTIMEO_NEW" }, { 68, "SO_DETACH_REUSEPORT_BPF" },
	{ 116, "SO_RCVLOWAT" }, { 117, "SO_SNDLOWAT" }, { 118, "SO_RCVTIMEO" },
	{ 119, "SO_SNDTIMEO" }, { 120, "SO_PASSCRED" }, { 121, "SO_PEERCRED" },
};

static const struct code_name ipopt_names[] = {
	{ 1, "IP_TOS" }, { 2, "IP_TTL" }, { 3, "IP_HDRINCL" }, { 4, "IP_OPTIONS" },
	{ 5, "IP_ROUTER_ALERT" }, { 6, "IP_RECVOPTS" }, { 7, "IP_RETOPTS" },
	{ 8, "IP_PKTINFO" }, { 9, "IP_PKTOPTIONS" }, { 10, "IP_MTU_DISCOVER" },
	{ 11, "IP_RECVERR" }, { 12, "IP_RECVTTL" }, { 13, "IP_RECVTOS" },
	{ 14, "IP_MTU" }, { 15, "IP_FREEBIND" }, { 16, "IP_IPSEC_POLICY" },
	{ 17, "IP_XFRM_POLICY" }, { 18, "IP_PASSSEC" }, { 19, "IP_TRANSPARENT" },
	{ 20, "IP_ORIGDSTADDR" }, { 21, "IP_MINTTL" }, { 22, "IP_NODEFRAG" },
	{ 23, "IP_CHECKSUM" }, { 24, "IP_BIND_ADDRESS_NO_PORT" },
	{ 25, "IP_RECVFRAGSIZE" }, { 32, "IP_MULTICAST_IF" },
	{ 33, "IP_MULTICAST_TTL" }, { 34, "IP_MULTICAST_LOOP" },
	{ 35, "IP_ADD_MEMBERSHIP" }, { 36, "IP_DROP_MEMBERSHIP" },
	{ 37, "IP_UNBLOCK_SOURCE" }, { 38, "IP_BLOCK_SOURCE" },
	{ 39, "IP_ADD_SOURCE_MEMBERSHIP" }, { 40, "IP_DROP_SOURCE_MEMBERSHIP" },
	{ 41, "IP_MSFILTER" }, { 42, "MCAST_JOIN_GROUP" },
	{ 43, "MCAST_BLOCK_SOURCE" }, { 44, "MCAST_UNBLOCK_SOURCE" },
	{ 45, "MCAST_LEAVE_GROUP" }, { 46, "MCAST_JOIN_SOURCE_GROUP" },
	{ 47, "MCAST_LEAVE_SOURCE_GROUP" }, { 48, "MCAST_MSFILTER" },
	{ 49, "IP_MULTICAST_ALL" }, { 50, "IP_UNICAST_IF" },
	{ 64, "IPT_SO_SET_REPLACE" }, { 65, "IPT_SO_SET_ADD_COUNTERS" },
	{ 66, "IPT_SO_GET_REVISION_TARGET" },
};

static const struct code_name fcntl_names[] = {
	{ 0, "F_DUPFD" }, { 1, "F_GETFD" }, { 2, "F_SETFD" }, { 3, "F_GETFL" },
	{ 4, "F_SETFL" }, { 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" },
	{ 8, "F_SETOWN" }, { 9, "F_GETOWN" }, { 10, "F_SETSIG" },
	{ 11, "F_GETSIG" }, { 12, "F_GETLK64" }, { 13, "F_SETLK64" },
	{ 14, "F_SETLKW64" }, { 15, "F_SETOWN_EX" }, { 16, "F_GETOWN_EX" },
	{ 17, "F_GETOWNER_UIDS" }, { 1024, "F_SETLEASE" }, { 1025, "F_GETLEASE" },
	{ 1026, "F_NOTIFY" }, { 1029, "F_CANCELLK" }, { 1030, "F_DUPFD_CLOEXEC" },
	{ 1031, "F_SETPIPE_SZ" }, { 1032, "F_GETPIPE_SZ" }, { 1033, "F_ADD_SEALS" },
	{ 1034, "F_GET_SEALS" }, { 1035, "F_GET_RW_HINT" },
	{ 1036, "F_SET_RW_HINT" }, { 1037, "F_GET_FILE_RW_HINT" },
	{ 1038, "F_SET_FILE_RW_HINT" },
};

static const struct code_name hook_names[] = {
	{ 0, "PREROUTING" }, { 1, "INPUT" }, { 2, "FORWARD" }, { 3, "OUTPUT" },
	{ 4, "POSTROUTING" }, { 5, "BROUTING" },
};

static const struct code_name netaction_names[] = {
	{ 0, "ACCEPT" }, { 1, "DROP" }, { 2, "REJECT" },
};

static const struct code_name access_names[] = {
	{ 0x1U, "X_OK" }, { 0x2U, "W_OK" }, { 0x4U, "R_OK" },
};

static const struct code_name umount_names[] = {
	{ 0x00000001, "MNT_FORCE" }, { 0x00000002, "MNT_DETACH" },
	{ 0x00000004, "MNT_EXPIRE" }, { 0x00000008, "UMOUNT_NOFOLLOW" },
	{ 0x80000000, "UMOUNT_UNUSED" },
};

static const struct code_name epoll_names[] = {
	{ 1, "EPOLL_CTL_ADD" }, { 2, "EPOLL_CTL_DEL" }, { 3, "EPOLL_CTL_MOD" },
};

static const struct code_name ipccall_names[] = {
	{ 1, "semop" }, { 2, "semget" }, { 3, "semctl" },
	{ 4, "semtimedop" }, { 11, "msgsnd" }, { 12, "msgrcv" },
	{ 13, "msgget" }, { 14, "msgctl" }, { 21, "shmat" },
	{ 22, "shmdt" }, { 23, "shmget" }, { 24, "shmctl" },
};


/* The named keys of TTY data: control characters and the common cursor
 * and editing sequences (auparse knows many more terminal variants; see
 * tests/fidelity/DIFFERENCES.md). First match wins, longer first. Each
 * with its length, so a look-up compares only the entries that start with
 * the byte at hand (a keystroke log is mostly control characters). */
#define TK(seq, name) { (seq), sizeof(seq) - 1, (name) }
static const struct tty_key {
	const char *seq;
	size_t len;
	const char *name;
} tty_keys[] = {
	TK("\x1b[A", "up"), TK("\x1b[B", "down"), TK("\x1b[C", "right"),
	TK("\x1b[D", "left"), TK("\x1bOA", "up"), TK("\x1bOB", "down"),
	TK("\x1bOC", "right"), TK("\x1bOD", "left"), TK("\x1b[H", "home"),
	TK("\x1b[F", "end"), TK("\x1bOH", "home"), TK("\x1bOF", "end"),
	TK("\x1b[1~", "home"), TK("\x1b[2~", "insert"), TK("\x1b[3~", "delete"),
	TK("\x1b[4~", "end"), TK("\x1b[5~", "page-up"),
	TK("\x1b[6~", "page-down"), TK("\x1b[Z", "back-tab"),
	TK("\x01", "^A"), TK("\x02", "^B"), TK("\x03", "^C"), TK("\x04", "^D"),
	TK("\x05", "^E"), TK("\x06", "^F"), TK("\x07", "^G"),
	TK("\x08", "backspace"), TK("\t", "tab"), TK("\n", "nl"),
	TK("\x0b", "^K"), TK("\x0c", "^L"), TK("\r", "ret"), TK("\x0e", "^N"),
	TK("\x0f", "^O"), TK("\x10", "^P"), TK("\x11", "^Q"), TK("\x12", "^R"),
	TK("\x13", "^S"), TK("\x14", "^T"), TK("\x15", "^U"), TK("\x16", "^V"),
	TK("\x17", "^W"), TK("\x18", "^X"), TK("\x19", "^Y"), TK("\x1a", "^Z"),
	TK("\x7f", "backspace"), TK("\x1b", "esc"),
};
#undef TK

/* ---- helpers ------------------------------------------------------------ */

static const char *code_lookup(const struct code_name *t, size_t n,
                               unsigned long long code)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}
#define LOOKUP(t, c) code_lookup((t), ARRAY_LEN(t), (c))

/* Append the names of the entries of T whose bits meet FLAGS, joined by
 * SEP, after what OUT already holds since START. Returns how many. */
static int put_flag_names(const struct code_name *t, size_t n,
                          unsigned long long flags, size_t start,
                          const char *sep, buf_t *out)
{
	size_t i;
	int cnt = 0;

	for (i = 0; i < n; i++) {
		if ((t[i].code & flags) == 0)
			continue;
		if (out->len > start)
			buf_puts(out, sep);
		buf_puts(out, t[i].name);
		cnt++;
	}
	return cnt;
}

/* A byte's hex digit value + 1 (0: not a hex digit): one load per byte
 * in the number and hex decoding loops. */
#define HX(c, v) [c] = (v) + 1
static const unsigned char hex_value1[256] = {
	HX('0', 0), HX('1', 1), HX('2', 2), HX('3', 3), HX('4', 4),
	HX('5', 5), HX('6', 6), HX('7', 7), HX('8', 8), HX('9', 9),
	HX('a', 10), HX('b', 11), HX('c', 12), HX('d', 13), HX('e', 14),
	HX('f', 15), HX('A', 10), HX('B', 11), HX('C', 12), HX('D', 13),
	HX('E', 14), HX('F', 15),
};
#undef HX

/* digits of a u64 that cannot overflow it, in base 10 and 16 */
#define DEC_SAFE_DIGITS 19
#define HEX_SAFE_DIGITS 15

static int hex_digit(int c)
{
	return (int)hex_value1[(unsigned char)c] - 1;
}

int interp_parse_ull(const char *s, int base, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t n = 0;

	if (*s == '\0')
		return 0;
	/* the first digits of a decimal (19) or hex (15) number cannot
	 * overflow: no checks for them, the general loop goes on from there */
	if (base == DEC_BASE) {
		for (; n < DEC_SAFE_DIGITS && (unsigned)(*s - '0') < DEC_BASE; s++, n++)
			v = v * DEC_BASE + (unsigned)(*s - '0');
	} else if (base == HEX_BASE) {
		for (; n < HEX_SAFE_DIGITS && hex_value1[(unsigned char)*s] != 0; s++, n++)
			v = v * HEX_BASE + (unsigned)(hex_value1[(unsigned char)*s] - 1);
	}
	for (; *s; s++) {
		int d = hex_digit((unsigned char)*s);

		/* the overflow checks without a division per digit (a hot path) */
		if (d < 0 || d >= base || __builtin_mul_overflow(v, (unsigned)base, &v) ||
		    __builtin_add_overflow(v, (unsigned)d, &v))
			return 0;
	}
	*out = v;
	return 1;
}

int interp_parse_ll(const char *s, long long *out)
{
	unsigned long long v;
	int neg = *s == '-';

	if (!interp_parse_ull(s + neg, DEC_BASE, &v) || v > (unsigned long long)INT64_MAX)
		return 0;
	*out = neg ? -(long long)v : (long long)v;
	return 1;
}

/* Sixteen hex digits a round into eight bytes at O (SSE2, which every
 * x86-64 has), as long as sixteen are left and all of them are hex digits
 * of either case; returns how many digits it decoded (a multiple of 16).
 * The loop of interp_unhex decodes the rest, and finds the first byte
 * that is not a digit. A PROCTITLE or an argument in hex is one digit
 * pair per byte of text: about 8 instructions a byte one by one, 1.5
 * here. */
static size_t unhex16(const unsigned char *u, size_t len, char *o)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
	const __m128i lower = _mm_set1_epi8(0x20), a = _mm_set1_epi8('a');
	const __m128i five = _mm_set1_epi8(5), ten = _mm_set1_epi8(10);
	const __m128i low_byte = _mm_set1_epi16(0x00FF);

	for (; len - i >= 16; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
		/* '0'-'9' -> 0-9 and 'a'-'f' / 'A'-'F' -> 0-5, compared unsigned */
		__m128i d = _mm_sub_epi8(x, zero);
		__m128i l = _mm_sub_epi8(_mm_or_si128(x, lower), a);
		__m128i is_d = _mm_cmpeq_epi8(_mm_max_epu8(d, nine), nine);
		__m128i is_l = _mm_cmpeq_epi8(_mm_max_epu8(l, five), five);
		__m128i v, pairs;

		if (_mm_movemask_epi8(_mm_or_si128(is_d, is_l)) != 0xFFFF)
			break;
		v = _mm_or_si128(_mm_and_si128(is_d, d),
		                 _mm_andnot_si128(is_d, _mm_add_epi8(l, ten)));
		/* a 16-bit lane is (second digit << 8) | first digit: the byte is
		 * first << 4 | second */
		pairs = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v, low_byte), 4),
		                     _mm_srli_epi16(v, 8));
		_mm_storel_epi64((__m128i *)(void *)(o + i / 2), _mm_packus_epi16(pairs, pairs));
	}
#else
	(void)u;
	(void)len;
	(void)o;
#endif
	return i;
}

int interp_unhex(const char *p, size_t len, buf_t *out)
{
	size_t i;

	const unsigned char *u = (const unsigned char *)p;
	char *o;

	if (len == 0 || len % 2 != 0)
		return 0;
	if (buf_reserve(out, len / 2) != 0) {
		/* no room: the answer still says whether it is hex */
		for (i = 0; i < len; i++)
			if (hex_value1[u[i]] == 0)
				return 0;
		return 1;
	}
	/* one pass: decoded past the end of OUT, kept only when all is hex */
	o = out->p + out->len;
	i = unhex16(u, len, o);
	o += i / 2;
	for (; i < len; i += 2) {
		unsigned hi = hex_value1[u[i]], lo = hex_value1[u[i + 1]];

		if (hi == 0 || lo == 0)
			return 0;
		*o++ = (char)((hi - 1) * HEX_BASE + lo - 1);
	}
	out->len += len / 2;
	return 1;
}

/* "0x" + the value as written: auparse's default for a syscall argument. */
static int put_raw_hex(const interp_arg_t *a, buf_t *out)
{
	buf_puts(out, "0x");
	buf_puts(out, a->val);
	return 1;
}

static int parse_hex(const interp_arg_t *a, unsigned long long *v)
{
	return interp_parse_ull(a->val, HEX_BASE, v);
}

static int parse_dec(const interp_arg_t *a, unsigned long long *v)
{
	return interp_parse_ull(a->val, DEC_BASE, v);
}

/* NAME, or FALLBACK "(" val ")" when NAME is NULL. */
static int put_name_or(const char *name, const char *fallback,
                       const char *prefix, const interp_arg_t *a, buf_t *out)
{
	if (name != NULL) {
		buf_puts(out, name);
		return 1;
	}
	buf_printf(out, "%s(%s%s)", fallback, prefix, a->val);
	return 1;
}

/* ---- ids, arch, syscall, errno ------------------------------------------ */

int interp_id_special(unsigned long long id, buf_t *out)
{
	if (id == INTERP_ID_UNSET) {
		buf_puts(out, "unset");
		return 1;
	}
	if (id == 0) {
		buf_puts(out, "root");
		return 1;
	}
	return 0;
}

int interp_machine_of_arch(const char *val)
{
	unsigned long long elf;

	if (!interp_parse_ull(val, HEX_BASE, &elf) || elf > UINT32_MAX)
		return -1;
	return audit_elf_to_machine((unsigned)elf);
}

int interp_arch(const interp_arg_t *a, buf_t *out)
{
	unsigned long long elf;
	int machine;
	const char *name;

	if (!parse_hex(a, &elf) || elf > UINT32_MAX)
		return 0;
	machine = audit_elf_to_machine((unsigned)elf);
	if (machine < 0) {
		buf_printf(out, "unknown-elf-type(%s)", a->val);
		return 1;
	}
	name = audit_machine_to_name(machine);
	if (name == NULL)
		buf_printf(out, "unknown-machine-type(%d)", machine);
	else
		buf_puts(out, name);
	return 1;
}

static const char *syscall_name(const interp_arg_t *a)
{
	int machine = a->machine >= 0 ? a->machine : audit_detect_machine();

	if (machine < 0 || a->syscall < 0)
		return NULL;
	return audit_syscall_to_name((int)a->syscall, machine);
}

int interp_syscall(const interp_arg_t *a, buf_t *out)
{
	unsigned long long nr;
	interp_arg_t b = *a;
	const char *name, *sub = NULL;

	if (!parse_dec(a, &nr) || nr > INT32_MAX)
		return 0;
	b.syscall = (long)nr;
	name = syscall_name(&b);
	if (name == NULL) {
		buf_printf(out, "unknown-syscall(%llu)", nr);
		return 1;
	}
	if (strcmp(name, "socketcall") == 0)
		sub = LOOKUP(socketcall_names, a->a0);
	else if (strcmp(name, "ipc") == 0)
		sub = LOOKUP(ipccall_names, a->a0);
	if (sub != NULL)
		buf_printf(out, "%s(%s)", name, sub);
	else
		buf_puts(out, name);
	return 1;
}

/* strerror, thread-safe, whichever strerror_r the build gets. */
static const char *errno_text(int e, char *buf, size_t size)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(e, buf, size);
#else
	if (strerror_r(e, buf, size) != 0)
		snprintf(buf, size, "Unknown error %d", e);
	return buf;
#endif
}

int interp_exit(const interp_arg_t *a, buf_t *out)
{
	long long v;
	const char *name;
	char msg[PROTO_BUF_LEN];

	if (!interp_parse_ll(a->val, &v) || v >= 0 || v < INT32_MIN)
		return 0;
	name = audit_errno_to_name((int)-v);
	if (name == NULL)
		return 0;
	buf_puts(out, name);   /* name(text), without printf: a hot path */
	buf_putc(out, '(');
	buf_puts(out, errno_text((int)-v, msg, sizeof(msg)));
	buf_putc(out, ')');
	return 1;
}

/* ---- files: permissions and modes --------------------------------------- */

int interp_perm(const interp_arg_t *a, buf_t *out)
{
	static const struct code_name perms[] = {
		{ AUDIT_PERM_READ, "read" }, { AUDIT_PERM_WRITE, "write" },
		{ AUDIT_PERM_EXEC, "exec" }, { AUDIT_PERM_ATTR, "attr" },
	};
	unsigned long long v;

	if (!parse_dec(a, &v))
		return 0;
	if (v == 0)
		v = PERM_ALL;
	put_flag_names(perms, ARRAY_LEN(perms), v, out->len, ",", out);
	return 1;
}

static void put_special_bits(unsigned long long v, size_t start, buf_t *out)
{
	static const struct code_name bits[] = {
		{ S_ISUID, "suid" }, { S_ISGID, "sgid" }, { S_ISVTX, "sticky" },
	};

	put_flag_names(bits, ARRAY_LEN(bits), v, start, ",", out);
}

static int put_mode(unsigned long long v, buf_t *out)
{
	const char *type = audit_ftype_to_name((int)(v & S_IFMT));
	size_t start = out->len;

	if (type != NULL)
		buf_puts(out, type);
	else /* the type bits as a number, lowest S_IFMT bit = 1 */
		buf_put_octal(out, (v & S_IFMT) / (S_IFMT & ~(S_IFMT - 1)), 3);
	if (v & (S_ISUID | S_ISGID | S_ISVTX)) {
		buf_putc(out, ',');
		put_special_bits(v, out->len, out);
	}
	(void)start;
	buf_putc(out, ',');
	buf_put_octal(out, v & MODE_PERM_BITS, 3);
	return 1;
}

static int put_mode_short(unsigned long long v, buf_t *out)
{
	size_t start = out->len;

	put_special_bits(v, start, out);
	if (out->len > start)
		buf_putc(out, ',');
	buf_putc(out, '0');
	buf_put_octal(out, v & MODE_PERM_BITS, 3);
	return 1;
}

int interp_mode(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	return interp_parse_ull(a->val, OCT_BASE, &v) ? put_mode(v, out) : 0;
}

int interp_mode_short(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	return interp_parse_ull(a->val, OCT_BASE, &v) ? put_mode_short(v, out) : 0;
}

/* ---- sockaddr ----------------------------------------------------------- */

static unsigned get_u16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));   /* host order, as the kernel wrote it */
	return v;
}

static unsigned long get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void put_sock_unix(const char *fam, const unsigned char *sa,
                          size_t len, buf_t *out)
{
	const unsigned char *path = sa + SA_FAMILY_LEN;
	size_t max = len - SA_FAMILY_LEN, n = 0;

	if (len < UNIX_MIN_LEN) {
		buf_printf(out, "{ saddr_fam=%s sockaddr len too short }", fam);
		return;
	}
	if (path[0] == '\0') { /* abstract name */
		path++;
		max--;
	}
	if (max > UNIX_PATH_MAX_LEN)
		max = UNIX_PATH_MAX_LEN;
	while (n < max && path[n] != '\0')
		n++;
	buf_puts(out, "{ saddr_fam=");
	buf_puts(out, fam);
	buf_puts(out, " path=");
	buf_append(out, path, n);
	buf_puts(out, " }");
}

static void put_sock_inet(const char *fam, int af, const unsigned char *sa,
                          size_t len, buf_t *out)
{
	size_t need = af == AF_INET ? INET_LEN : INET6_LEN;
	size_t addr_off = af == AF_INET ? INET_ADDR_OFF : INET6_ADDR_OFF;
	char addr[ADDR_TEXT_LEN];
	uint16_t port;

	if (len < need) {
		buf_printf(out, "{ saddr_fam=%s %s len too short }", fam,
		           af == AF_INET ? "sockaddr" : "sockaddr6");
		return;
	}
	memcpy(&port, sa + INET_PORT_OFF, sizeof(port));
	if (inet_ntop(af, sa + addr_off, addr, sizeof(addr)) == NULL) {
		buf_printf(out, "{ saddr_fam=%s (error resolving addr) }", fam);
		return;
	}
	buf_puts(out, "{ saddr_fam=");
	buf_puts(out, fam);
	buf_puts(out, " laddr=");
	buf_puts(out, addr);
	buf_puts(out, " lport=");
	buf_put_uint(out, ntohs(port));
	buf_puts(out, " }");
}

static void put_sock_netlink(const char *fam, const unsigned char *sa,
                             size_t len, buf_t *out)
{
	if (len < NETLINK_LEN) {
		buf_printf(out, "{ saddr_fam=%s len too short }", fam);
		return;
	}
	buf_printf(out, "{ saddr_fam=%s nlnk-fam=%u nlnk-pid=%lu }", fam,
	           get_u16(sa), get_u32(sa + NETLINK_PID_OFF));
}

int interp_sockaddr(const interp_arg_t *a, buf_t *out)
{
	unsigned char sa[SOCKADDR_MAX_BYTES + 1] = { 0 };
	size_t hexlen = strlen(a->val), len = hexlen / 2, i;
	const char *fam;
	unsigned af;

	if (len < SA_FAMILY_LEN || len > SOCKADDR_MAX_BYTES || hexlen % 2 ||
	    a->quoted)
		return 0;
	for (i = 0; i < len; i++) {
		int hi = hex_digit((unsigned char)a->val[2 * i]);
		int lo = hex_digit((unsigned char)a->val[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return 0;
		sa[i] = (unsigned char)(hi * HEX_BASE + lo);
	}
	af = get_u16(sa);
	fam = LOOKUP(family_names, af);
	if (fam == NULL) {
		buf_printf(out, "unknown-family(%u)", af);
		return 1;
	}
	if (af == AF_LOCAL)
		put_sock_unix(fam, sa, len, out);
	else if (af == AF_INET || af == AF_INET6)
		put_sock_inet(fam, (int)af, sa, len, out);
	else if (af == AF_NETLINK)
		put_sock_netlink(fam, sa, len, out);
	else
		buf_printf(out, "{ saddr_fam=%s (unsupported) }", fam);
	return 1;
}

/* ---- small codes -------------------------------------------------------- */

int interp_promisc(const interp_arg_t *a, buf_t *out)
{
	long long v;

	if (!interp_parse_ll(a->val, &v))
		return 0;
	buf_puts(out, v == 0 ? "no" : "yes");
	return 1;
}

static int put_capability(const interp_arg_t *a, int base, buf_t *out)
{
	unsigned long long v;

	if (!interp_parse_ull(a->val, base, &v))
		return 0;
	return put_name_or(LOOKUP(cap_names, v), "unknown-capability",
	                   base == HEX_BASE ? "0x" : "", a, out);
}

int interp_capability(const interp_arg_t *a, buf_t *out)
{
	return put_capability(a, DEC_BASE, out);
}

int interp_cap_bitmap(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;
	unsigned i;
	size_t start = out->len;

	if (!parse_hex(a, &v))
		return 0;
	for (i = 0; i <= CAP_LAST_CAP; i++) {
		const char *name;

		if ((v & (1ULL << i)) == 0)
			continue;
		if (out->len > start)
			buf_putc(out, ',');
		name = LOOKUP(cap_names, i);
		if (name != NULL)
			buf_puts(out, name);
	}
	if (out->len == start)
		buf_puts(out, "none");
	return 1;
}

int interp_success(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!isdigit((unsigned char)a->val[0]) || !parse_dec(a, &v))
		return 0;
	buf_puts(out, v == SUCCESS_SUCCEEDED ? "yes" :
	              v == SUCCESS_FAILED ? "no" : "unset");
	return 1;
}

static int put_signal(const interp_arg_t *a, int base, buf_t *out)
{
	unsigned long long v;
	const char *name = NULL;

	if (!interp_parse_ull(a->val, base, &v))
		return 0;
	if (v < SIGNAL_NAMED_MAX)
		name = LOOKUP(signal_names, v);
	return put_name_or(name, "unknown-signal",
	                   base == HEX_BASE ? "0x" : "", a, out);
}

int interp_signal(const interp_arg_t *a, buf_t *out)
{
	return put_signal(a, DEC_BASE, out);
}

int interp_list(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_dec(a, &v) || v > INT32_MAX)
		return 0;
	return put_name_or(audit_flag_to_name((int)v), "unknown-list", "", a, out);
}

int interp_session(const interp_arg_t *a, buf_t *out)
{
	if (strcmp(a->val, SESSION_UNSET) != 0)
		return 0;
	buf_puts(out, "unset");
	return 1;
}

int interp_nfproto(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_dec(a, &v))
		return 0;
	return put_name_or(LOOKUP(nfproto_names, v),
	                   "unknown-netfilter-protocol", "", a, out);
}

int interp_icmptype(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_dec(a, &v))
		return 0;
	return put_name_or(LOOKUP(icmptype_names, v), "unknown-icmp-type", "",
	                   a, out);
}

/* The protocol's name from this host's /etc/protocols, as auparse. */
static const char *proto_name(unsigned long long nr, struct protoent *pe,
                              char *scratch, size_t size)
{
	struct protoent *res = NULL;

	if (nr > INT32_MAX ||
	    getprotobynumber_r((int)nr, pe, scratch, size, &res) != 0)
		return NULL;
	return res != NULL ? res->p_name : NULL;
}

int interp_protocol(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;
	struct protoent pe;
	char scratch[PROTO_BUF_LEN];
	const char *name;

	if (!parse_dec(a, &v))
		return 0;
	name = proto_name(v, &pe, scratch, sizeof(scratch));
	buf_puts(out, name != NULL ? name : "undefined protocol");
	return 1;
}

int interp_seccomp_code(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;
	const char *s = a->val;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!interp_parse_ull(s, HEX_BASE, &v))
		return 0;
	return put_name_or(LOOKUP(seccomp_names, v & SECCOMP_ACTION_MASK),
	                   "unknown-seccomp-code", "", a, out);
}

int interp_hook(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	return put_name_or(LOOKUP(hook_names, v), "unknown-hook", "", a, out);
}

int interp_netaction(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	return put_name_or(LOOKUP(netaction_names, v), "unknown-action", "",
	                   a, out);
}

int interp_macproto(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	buf_puts(out, v == MACPROTO_IP ? "IP" : v == MACPROTO_ARP ? "ARP" :
	              "UNKNOWN");
	return 1;
}

int interp_fanotify(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!isdigit((unsigned char)a->val[0]) || !parse_dec(a, &v))
		return 0;
	buf_puts(out, v == FAN_ALLOW_CODE ? "allow" :
	              v == FAN_DENY_CODE ? "deny" : "unknown");
	return 1;
}

int interp_nlmcgrp(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	buf_puts(out, v == NLGRP_READLOG_CODE ? "audit-netlink-multicast" :
	              "audit-none");
	return 1;
}

/* AVC seperms: "read write" (the text between the braces) is shown as
 * auparse joins it, "read,write". A single permission needs nothing. */
int interp_seperms(const interp_arg_t *a, buf_t *out)
{
	const char *p = a->val;
	int sep = 0;

	if (strpbrk(p, " \t") == NULL)
		return 0;
	for (; *p; p++) {
		if (*p == ' ' || *p == '\t') {
			sep = 1;
			continue;
		}
		if (sep)
			buf_putc(out, ',');
		sep = 0;
		buf_putc(out, *p);
	}
	return 1;
}

/* ---- flag sets ---------------------------------------------------------- */

static int put_open_flags(unsigned long long v, const interp_arg_t *a,
                          buf_t *out)
{
	size_t start = out->len;

	if ((v & OPEN_ACCMODE_MASK) == 0)
		buf_puts(out, "O_RDONLY");
	put_flag_names(oflag_names, ARRAY_LEN(oflag_names), v, start, "|", out);
	return out->len > start ? 1 : put_raw_hex(a, out);
}

int interp_open_flags(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	return parse_hex(a, &v) ? put_open_flags(v, a, out) : 0;
}

int interp_mmap_flags(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;
	size_t start = out->len;

	if (!parse_hex(a, &v))
		return 0;
	if ((v & MMAP_TYPE_MASK) == 0)
		buf_puts(out, "MAP_FILE");
	put_flag_names(mmap_names, ARRAY_LEN(mmap_names), v, start, "|", out);
	return out->len > start ? 1 : put_raw_hex(a, out);
}

/* Flags of table T joined by '|', else "0x" + the value. */
static int put_flags_or_hex(const struct code_name *t, size_t n,
                            const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;
	size_t start = out->len;

	if (!parse_hex(a, &v))
		return 0;
	put_flag_names(t, n, v, start, "|", out);
	return out->len > start ? 1 : put_raw_hex(a, out);
}

static int put_prot(const interp_arg_t *a, size_t entries, buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	if ((v & PROT_RWX_MASK) == 0) {
		buf_puts(out, "PROT_NONE");
		return 1;
	}
	return put_flags_or_hex(prot_names, entries, a, out);
}

static int put_clone_flags(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;
	size_t start = out->len;
	const char *sig;

	if (!parse_hex(a, &v))
		return 0;
	v &= UINT32_MAX;
	put_flag_names(clone_names, ARRAY_LEN(clone_names), v, start, "|", out);
	sig = (v & CLONE_SIGNAL_MASK) < SIGNAL_NAMED_MAX ?
	      LOOKUP(signal_names, v & CLONE_SIGNAL_MASK) : NULL;
	if ((v & CLONE_SIGNAL_MASK) != 0 && sig != NULL) {
		if (out->len > start)
			buf_putc(out, '|');
		buf_puts(out, sig);
	}
	if (out->len == start) {
		buf_append(out, "0x", 2);
		buf_put_hex(out, v);
	}
	return 1;
}

static int put_access(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	if ((v & ACCESS_MODE_MASK) == 0) {
		buf_puts(out, "F_OK");
		return 1;
	}
	return put_flags_or_hex(access_names, ACCESS_ENTRIES, a, out);
}

/* A table code in hex, else FALLBACK(0x<val>). */
static int put_hex_code(const struct code_name *t, size_t n,
                        const char *fallback, const interp_arg_t *a,
                        buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	return put_name_or(code_lookup(t, n, v), fallback, "0x", a, out);
}
#define HEX_CODE(t, fb, a, out) put_hex_code((t), ARRAY_LEN(t), (fb), (a), (out))

static int put_dirfd(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	if ((v & UINT32_MAX) == AT_FDCWD_32) {
		buf_puts(out, "AT_FDCWD");
		return 1;
	}
	return put_raw_hex(a, out);
}

static int put_hex_mode_short(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	return parse_hex(a, &v) ? put_mode_short(v, out) : 0;
}

static int put_hex_mode(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	return parse_hex(a, &v) ? put_mode(v, out) : 0;
}

static int put_socket_domain(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	return put_name_or(LOOKUP(family_names, v), "unknown-family", "0x", a,
	                   out);
}

static int put_socket_type(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;

	if (!parse_hex(a, &v))
		return 0;
	return put_name_or(LOOKUP(socktype_names, v & SOCKTYPE_MASK),
	                   "unknown-type", "", a, out);
}

static int put_socket_proto(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;
	struct protoent pe;
	char scratch[PROTO_BUF_LEN];

	if (!parse_hex(a, &v))
		return 0;
	return put_name_or(proto_name(v, &pe, scratch, sizeof(scratch)),
	                   "unknown-proto", "", a, out);
}

static int put_sockopt_level(const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;
	struct protoent pe;
	char scratch[PROTO_BUF_LEN];
	const char *name;

	if (!parse_hex(a, &v))
		return 0;
	if (v == SOL_SOCKET) {
		buf_puts(out, "SOL_SOCKET");
		return 1;
	}
	name = proto_name(v, &pe, scratch, sizeof(scratch));
	if (name == NULL)
		name = LOOKUP(socklevel_names, v);
	return put_name_or(name, "unknown-sockopt-level", "0x", a, out);
}

static int put_exit_code(const interp_arg_t *a, buf_t *out)
{
	buf_puts(out, strcmp(a->val, "0") == 0 ? "EXIT_SUCCESS" :
	              strcmp(a->val, "1") == 0 ? "EXIT_FAILURE" : "UNKNOWN");
	return 1;
}

/* ---- syscall arguments -------------------------------------------------- */

/* Tables from syscall name to the interpreter of one argument. A name
 * ending in '*' matches as a prefix. */
typedef int (*arg_fn)(const interp_arg_t *a, buf_t *out);
struct arg_rule {
	const char *sys;
	arg_fn fn;
};

static int a_signal_hex(const interp_arg_t *a, buf_t *out)
{
	return put_signal(a, HEX_BASE, out);
}
static int a_ptrace(const interp_arg_t *a, buf_t *out)
{
	return HEX_CODE(ptrace_names, "unknown-ptrace", a, out);
}
static int a_socketcall(const interp_arg_t *a, buf_t *out)
{
	return HEX_CODE(socketcall_names, "unknown-socketcall", a, out);
}
static int a_ipccall(const interp_arg_t *a, buf_t *out)
{
	return HEX_CODE(ipccall_names, "unknown-ipccall", a, out);
}
static int a_fcntl(const interp_arg_t *a, buf_t *out)
{
	return HEX_CODE(fcntl_names, "unknown-fcntl-command", a, out);
}
static int a_epoll(const interp_arg_t *a, buf_t *out)
{
	return HEX_CODE(epoll_names, "unknown-epoll_ctl-operation", a, out);
}
static int a_mount(const interp_arg_t *a, buf_t *out)
{
	return put_flags_or_hex(mount_names, ARRAY_LEN(mount_names), a, out);
}
static int a_umount(const interp_arg_t *a, buf_t *out)
{
	return put_flags_or_hex(umount_names, ARRAY_LEN(umount_names), a, out);
}
static int a_recv(const interp_arg_t *a, buf_t *out)
{
	return put_flags_or_hex(recv_names, ARRAY_LEN(recv_names), a, out);
}
static int a_prot_mmap(const interp_arg_t *a, buf_t *out)
{
	return put_prot(a, PROT_ENTRIES_MMAP, out);
}
static int a_prot(const interp_arg_t *a, buf_t *out)
{
	return put_prot(a, PROT_ENTRIES_MPROT, out);
}
static int a_open_creat_mode(const interp_arg_t *a, buf_t *out)
{
	return (a->a1 & O_CREAT) ? put_hex_mode_short(a, out) : 0;
}
static int a_uid(const interp_arg_t *a, buf_t *out)
{
	(void)a; (void)out;
	return INTERP_WANT_UID;
}
static int a_gid(const interp_arg_t *a, buf_t *out)
{
	(void)a; (void)out;
	return INTERP_WANT_GID;
}
static int a_prctl_arg(const interp_arg_t *a, buf_t *out)
{
	if (a->a0 == PRCTL_CAPBSET_READ || a->a0 == PRCTL_CAPBSET_DROP)
		return put_capability(a, HEX_BASE, out);
	if (a->a0 == PRCTL_SET_PDEATHSIG)
		return put_signal(a, HEX_BASE, out);
	return 0;
}
static int a_ip_opt(const interp_arg_t *a, buf_t *out)
{
	return HEX_CODE(ipopt_names, "unknown-ipopt-name", a, out);
}
static int a_sock_opt(const interp_arg_t *a, buf_t *out)
{
	return HEX_CODE(sockopt_names, "unknown-sockopt-name", a, out);
}
static int a_setsockopt_name(const interp_arg_t *a, buf_t *out)
{
	if (a->a1 == IPPROTO_IP)
		return a_ip_opt(a, out);
	if (a->a1 == SOL_SOCKET && a->machine != MACH_PPC64 &&
	    a->machine != MACH_PPC)
		return a_sock_opt(a, out);
	return 0;
}

static const struct arg_rule a0_rules[] = {
	{ "rt_sigaction", a_signal_hex }, { "renameat*", put_dirfd },
	{ "readlinkat", put_dirfd }, { "ptrace", a_ptrace },
	{ "mkdirat", put_dirfd }, { "mknodat", put_dirfd },
	{ "fchownat", put_dirfd }, { "futimesat", put_dirfd },
	{ "fchmodat", put_dirfd }, { "faccessat*", put_dirfd },
	{ "futimensat", put_dirfd }, { "unshare", put_clone_flags },
	{ "unlinkat", put_dirfd }, { "utimensat", put_dirfd },
	{ "setuid", a_uid }, { "setreuid", a_uid }, { "setresuid", a_uid },
	{ "setfsuid", a_uid }, { "setgid", a_gid }, { "setregid", a_gid },
	{ "setresgid", a_gid }, { "setfsgid", a_gid },
	{ "socket", put_socket_domain }, { "socketcall", a_socketcall },
	{ "linkat", put_dirfd }, { "newfstatat", put_dirfd },
	{ "openat*", put_dirfd }, { "name_to_handle_at", put_dirfd },
	{ "ipc", a_ipccall }, { "exit*", put_exit_code },
};

static const struct arg_rule a1_rules[] = {
	{ "fchmod", put_hex_mode_short }, { "fcntl*", a_fcntl },
	{ "chmod", put_hex_mode_short }, { "chown", a_uid },
	{ "fchown", a_uid }, { "lchown", a_uid }, { "fchownat", a_uid },
	{ "chown32", a_uid }, { "fchown32", a_uid }, { "lchown32", a_uid },
	{ "creat", put_hex_mode_short }, { "setsockopt", put_sockopt_level },
	{ "getsockopt", put_sockopt_level }, { "setreuid", a_uid },
	{ "setresuid", a_uid }, { "setregid", a_gid }, { "setresgid", a_gid },
	{ "socket", put_socket_type }, { "setns", put_clone_flags },
	{ "mkdir", put_hex_mode_short }, { "mknod", put_hex_mode },
	{ "mq_open", interp_open_flags }, { "open", interp_open_flags },
	{ "access", put_access }, { "epoll_ctl", a_epoll },
	{ "kill", a_signal_hex }, { "prctl", a_prctl_arg },
	{ "tkill", a_signal_hex }, { "umount2", a_umount },
};

static const struct arg_rule a2_rules[] = {
	{ "setsockopt", a_setsockopt_name }, { "getsockopt", a_setsockopt_name },
	{ "openat", interp_open_flags }, { "open", a_open_creat_mode },
	{ "open_by_handle_at", interp_open_flags },
	{ "fchmodat", put_hex_mode_short }, { "faccessat*", put_access },
	{ "setresuid", a_uid }, { "setresgid", a_gid },
	{ "socket", put_socket_proto }, { "sendmsg", a_recv },
	{ "mmap", a_prot_mmap }, { "mkdirat", put_hex_mode_short },
	{ "mknodat", put_hex_mode_short }, { "mprotect", a_prot },
	{ "mq_open", a_open_creat_mode }, { "recvmsg", a_recv },
	{ "readlinkat", put_dirfd }, { "renameat*", put_dirfd },
	{ "linkat", put_dirfd }, { "clone", put_clone_flags },
	{ "clone2", put_clone_flags }, { "chown", a_gid }, { "fchown", a_gid },
	{ "lchown", a_gid }, { "fchownat", a_gid }, { "tgkill", a_signal_hex },
};

static const struct arg_rule a3_rules[] = {
	{ "mmap", interp_mmap_flags }, { "mount", a_mount },
	{ "recv", a_recv }, { "recvfrom", a_recv }, { "recvmmsg", a_recv },
	{ "send", a_recv }, { "sendto", a_recv }, { "sendmmsg", a_recv },
};

static int rule_matches(const char *pat, const char *sys)
{
	size_t n;

	if (pat[0] != sys[0])   /* most rules: one compare, not strlen + strcmp */
		return 0;
	n = strlen(pat);

	if (n > 0 && pat[n - 1] == '*')
		return strncmp(pat, sys, n - 1) == 0;
	return strcmp(pat, sys) == 0;
}

/* Which rule of an argument's table applies to a syscall, found once per
 * argument, machine and syscall number rather than for every value (a scan
 * of some thirty names, and libaudit's name look-up): 0 not known yet,
 * RULE_NONE no rule, else the rule's index + 1. A pure function's memo:
 * every thread computes the same answer, so a race only computes it twice
 * (the bytes are read and written atomically). Numbers and machines beyond
 * the table (x32's, ia64's) are looked up each time. */
#define RULE_MACHINES 16
#define RULE_SYSCALLS 1024
#define RULE_NONE     0xff
enum { RULE_A0, RULE_A1, RULE_A2, RULE_A3, RULE_ARGS };
static unsigned char rule_memo[RULE_ARGS][RULE_MACHINES][RULE_SYSCALLS];
_Static_assert(ARRAY_LEN(a0_rules) < RULE_NONE && ARRAY_LEN(a1_rules) < RULE_NONE &&
               ARRAY_LEN(a2_rules) < RULE_NONE && ARRAY_LEN(a3_rules) < RULE_NONE,
               "a rule's index + 1 fits in the memo's byte");

/* the index + 1 of the rule of RULES (N of them) for A's syscall, or
 * RULE_NONE */
static unsigned rule_find(const struct arg_rule *rules, size_t n, const interp_arg_t *a)
{
	const char *sys = syscall_name(a);
	size_t i;

	for (i = 0; sys != NULL && i < n; i++)
		if (rule_matches(rules[i].sys, sys))
			return (unsigned)i + 1;
	return RULE_NONE;
}

static unsigned rule_of(unsigned arg, const struct arg_rule *rules, size_t n,
                        const interp_arg_t *a)
{
	int machine = a->machine >= 0 ? a->machine : audit_detect_machine();
	unsigned char *m;
	unsigned r;

	if (machine < 0 || a->syscall < 0)
		return RULE_NONE;
	if (machine >= RULE_MACHINES || a->syscall >= RULE_SYSCALLS)
		return rule_find(rules, n, a);
	m = &rule_memo[arg][machine][a->syscall];
	if ((r = __atomic_load_n(m, __ATOMIC_RELAXED)) == 0) {
		r = rule_find(rules, n, a);
		__atomic_store_n(m, (unsigned char)r, __ATOMIC_RELAXED);
	}
	return r;
}

static int interp_arg_by(unsigned arg, const struct arg_rule *rules, size_t n,
                         const interp_arg_t *a, buf_t *out)
{
	unsigned long long v;
	unsigned r;
	int rc;

	if (!parse_hex(a, &v))
		return 0;
	r = rule_of(arg, rules, n, a);
	if (r != RULE_NONE && (rc = rules[r - 1].fn(a, out)) != 0)
		return rc;
	return put_raw_hex(a, out);
}

int interp_a0(const interp_arg_t *a, buf_t *out)
{
	return interp_arg_by(RULE_A0, a0_rules, ARRAY_LEN(a0_rules), a, out);
}

int interp_a1(const interp_arg_t *a, buf_t *out)
{
	return interp_arg_by(RULE_A1, a1_rules, ARRAY_LEN(a1_rules), a, out);
}

int interp_a2(const interp_arg_t *a, buf_t *out)
{
	return interp_arg_by(RULE_A2, a2_rules, ARRAY_LEN(a2_rules), a, out);
}

int interp_a3(const interp_arg_t *a, buf_t *out)
{
	return interp_arg_by(RULE_A3, a3_rules, ARRAY_LEN(a3_rules), a, out);
}

/* ---- TTY data ----------------------------------------------------------- */

static const struct tty_key *tty_key_at(const unsigned char *p, size_t n)
{
	size_t i;

	if (*p >= ' ' && *p != DEL_CHAR && *p != ESC_BYTE)
		return NULL; /* fast path: printable */
	for (i = 0; i < ARRAY_LEN(tty_keys); i++) {
		const struct tty_key *k = &tty_keys[i];

		if ((unsigned char)k->seq[0] == *p && k->len <= n && memcmp(p, k->seq, k->len) == 0)
			return k;
	}
	return NULL;
}

static void tty_put_char(unsigned char c, buf_t *out)
{
	if (c < ' ' || c > '~') {
		buf_putc(out, '\\');
		buf_put_octal(out, c, 3);
		return;
	}
	if (c == '\\' || c == '"')
		buf_putc(out, '\\');
	buf_putc(out, (char)c);
}

/* Keystrokes: "printable runs" and <named keys>, comma separated. */
int interp_tty_data(const interp_arg_t *a, buf_t *out)
{
	buf_t raw;
	size_t i = 0, start = out->len;
	int in_text = 0;

	buf_init(&raw);
	if (a->quoted || !interp_unhex(a->val, strlen(a->val), &raw)) {
		buf_free(&raw);
		return 0;
	}
	while (i < raw.len) {
		const unsigned char *p = (const unsigned char *)raw.p + i;
		const struct tty_key *k = tty_key_at(p, raw.len - i);

		if (k != NULL) {
			int comma = out->len > start || in_text;

			if (in_text)
				buf_putc(out, '"');
			if (comma)
				buf_putc(out, ',');
			buf_putc(out, '<');
			buf_puts(out, k->name);
			buf_putc(out, '>');
			in_text = 0;
			i += k->len;
			continue;
		}
		if (!in_text)
			buf_puts(out, out->len > start ? ",\"" : "\"");
		in_text = 1;
		tty_put_char(*p, out);
		i++;
	}
	if (in_text)
		buf_putc(out, '"');
	buf_free(&raw);
	return 1;
}
