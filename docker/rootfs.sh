#!/bin/sh
# The image's whole root filesystem, assembled in $1 from the stage this runs in (the Dockerfile's "rootfs"
# stage; the image is `FROM scratch` plus this directory): only what pgadmin-py runs, at the paths Debian
# installed it to, so the virtualenv made in the build stage runs unchanged.
#   - python3 and its standard library, less what nothing here imports (tests, ensurepip, pydoc's topics,
#     curses and readline, dbm's C modules, the test extension modules, the -dev config), with Debian's bytecode
#   - the virtualenv /opt/pgadmin-py, pg_dump and pg_restore
#   - every shared library those programs and extension modules load (ldd), and libgcc_s (glibc loads it
#     when a thread exits); an ld.so.cache for them
#   - CA certificates (sslmode=verify-full, sslrootcert=system), time zones (psycopg reads the server's
#     TimeZone), the diagram's font, /etc/passwd with the user pgadmin, /tmp, /data, /project
#   - for each Debian package a file came from: its copyright file and its dpkg entry in
#     /var/lib/dpkg/status.d/ (as distroless images do, so image scanners see the packages and versions)
# No shell, no package manager, no coreutils: debug with `docker cp` or a derived image.
set -eu
R="$1"
mkdir -p "$R"
py=$(readlink -f /usr/bin/python3)          # /usr/bin/python3.13
stdlib=/usr/lib/$(basename "$py")
# merged /usr, as Debian has it
for d in bin sbin lib lib64; do
    if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$R/$d"; fi
done
# $1...: files, symlinks kept as symlinks (and what they point to), directories whole; paths made real first
put() {
    for f; do
        real_dir=$(readlink -f "$(dirname "$f")")
        f="$real_dir/$(basename "$f")"
        cp -a --parents "$f" "$R"
        if [ -L "$f" ]; then put "$(readlink -f "$f")"; fi
    done
}
put "$py" /usr/bin/python3 /opt/pgadmin-py /usr/lib/postgresql/17/bin/pg_dump /usr/lib/postgresql/17/bin/pg_restore \
    /usr/local/bin/pg_dump /usr/local/bin/pg_restore /usr/share/doc/postgresql-client-17 \
    /etc/ssl/certs/ca-certificates.crt /etc/ssl/openssl.cnf /usr/lib/ssl/cert.pem /usr/lib/ssl/certs \
    /usr/lib/ssl/openssl.cnf /usr/share/zoneinfo /etc/localtime /usr/share/fonts/truetype/dejavu \
    /etc/nsswitch.conf /etc/services /etc/protocols /etc/mime.types /etc/os-release /usr/lib/os-release \
    /etc/ld.so.conf /etc/ld.so.conf.d
tar -C / -cf - \
    --exclude="${stdlib#/}/test" --exclude="${stdlib#/}/ensurepip" --exclude="${stdlib#/}/pydoc_data" \
    --exclude="${stdlib#/}/curses" --exclude="${stdlib#/}/config-*" --exclude="${stdlib#/}/turtle.py" \
    --exclude="${stdlib#/}/idlelib" --exclude="${stdlib#/}/tkinter" --exclude="${stdlib#/}/turtledemo" \
    --exclude="${stdlib#/}/__pycache__/turtle.*" \
    --exclude='lib-dynload/_test*' --exclude='lib-dynload/_ctypes_test*' --exclude='lib-dynload/xx*' \
    --exclude='lib-dynload/_xx*' --exclude='lib-dynload/_curses*' --exclude='lib-dynload/readline*' \
    --exclude='lib-dynload/_dbm*' --exclude='lib-dynload/_gdbm*' \
    "${stdlib#/}" | tar -C "$R" -xf -
# the shared libraries every ELF file here needs
{
    find "$R" -type f \( -name '*.so' -o -name '*.so.*' -o -perm -u+x \) -exec sh -c \
        'for f; do if [ "$(head -c 4 "$f" | od -An -c | tr -d " ")" = "177ELF" ]; then ldd "$f"; fi; done' sh {} + \
        | sed -n -e 's/.*=> not found/& /p' -e 's/.*=> \(\/[^ ]*\) .*/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'
    ldconfig -p | sed -n 's/.*libgcc_s.so.1 (libc6[^)]*) => //p'
} | sort -u > /tmp/libs
if grep -q 'not found' /tmp/libs; then echo "missing libraries: $(grep 'not found' /tmp/libs)" >&2; exit 1; fi
while read -r lib; do put "$lib"; done < /tmp/libs
mkdir -p "$R/etc/ssl/certs" "$R/var/lib/dpkg/status.d"
ldconfig -r "$R"
# users: root, the server's own (uid 10001), nobody
cat > "$R/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
pgadmin:x:10001:10001:pgadmin-py:/home/pgadmin:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
printf 'root:x:0:\npgadmin:x:10001:\nnogroup:x:65534:\n' > "$R/etc/group"
install -d -m 1777 "$R/tmp"
install -d -m 0700 "$R/root"
install -d -o 10001 -g 10001 "$R/home/pgadmin" "$R/data"
install -d "$R/project"
# the Debian packages the files came from: copyright and dpkg entry of each
find "$R" -path "$R/opt" -prune -o \( -type f -o -type l \) -print | sed "s|^$R||" \
    | xargs dpkg-query -S 2>/dev/null | sed 's/: .*//; s/, /\n/g; s/:.*//' | sort -u | while read -r pkg; do
        dpkg-query -s "$pkg" > "$R/var/lib/dpkg/status.d/$pkg" 2>/dev/null || continue
        if [ -f "/usr/share/doc/$pkg/copyright" ]; then put "/usr/share/doc/$pkg/copyright"; fi
    done
dpkg-deb -f /tmp/postgresql-client-17.deb > "$R/var/lib/dpkg/status.d/postgresql-client-17"
