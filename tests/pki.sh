#!/bin/sh
# pki.sh DIR -- a throw-away PKI for the tls tests (EC P-256, 10 years):
#   ca.pem                     the test CA
#   server.pem/.key            localhost: SAN DNS:localhost, IP:127.0.0.1 (by ca)
#   client.pem/.key            client.test, client authentication (by ca)
#   wrongname.pem/.key         wrong.example only (by ca)
#   untrusted-ca.pem           a second CA nobody trusts
#   untrusted.pem/.key         localhost, 127.0.0.1, by the untrusted CA
# Idempotent: a complete DIR is left alone. Built in a temporary directory
# and moved into place, so concurrent runs never see half a PKI.
set -eu

dir=${1:?usage: pki.sh DIR}
[ -f "$dir/.complete" ] && exit 0
mkdir -p "$(dirname "$dir")"
tmp=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

# ca NAME CN: a self-signed CA
ca() {
	key "$1"
	openssl req -new -x509 -key "$1.key" -out "$1.pem" -days 3650 -subj "/CN=$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# leaf NAME CA CN EXTENSIONS...: a certificate for CN signed by CA
leaf() {
	name=$1 issuer=$2 cn=$3
	shift 3
	key "$name"
	openssl req -new -key "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
	printf '%s\n' basicConstraints=CA:FALSE "$@" > "$name.ext"
	openssl x509 -req -in "$name.csr" -CA "$issuer.pem" -CAkey "$issuer.key" \
		-CAcreateserial -out "$name.pem" -days 3650 -extfile "$name.ext" 2>/dev/null
	rm -f "$name.csr" "$name.ext"
}

ca ca "omauditfwd test CA"
ca untrusted-ca "omauditfwd untrusted CA"
leaf server ca localhost subjectAltName=DNS:localhost,IP:127.0.0.1 extendedKeyUsage=serverAuth
leaf client ca client.test subjectAltName=DNS:client.test extendedKeyUsage=clientAuth
leaf wrongname ca wrong.example subjectAltName=DNS:wrong.example extendedKeyUsage=serverAuth
leaf untrusted untrusted-ca localhost subjectAltName=DNS:localhost,IP:127.0.0.1 \
	extendedKeyUsage=serverAuth
rm -f ./*.srl
touch .complete
cd /
if mv -T "$tmp" "$dir" 2>/dev/null; then
	trap - EXIT
elif [ ! -f "$dir/.complete" ]; then
	echo "pki.sh: cannot create $dir" >&2
	exit 1
fi
