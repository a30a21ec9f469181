#!/bin/bash
# GeoStack's entrypoint for the official GeoServer image (docker.osgeo.org/geoserver), before its own /opt/startup.sh.
#
# - The administrator's credentials set up a new data directory only. Given GEOSERVER_ADMIN_USER/_PASSWORD, the
#   image's startup rewrites the data directory's users.xml and roles.xml from the webapp's templates at every start
#   (update_credentials.sh), which deletes every user, group and role made since and reverts a changed password. Here
#   they are applied while the data directory has no users.xml, or one still equal to the template (a first start that
#   stopped after copying it, with the image's default admin/geoserver), and checked; otherwise they are dropped.
# - Passwords come from files, not the container's environment: GEOSERVER_ADMIN_PASSWORD_FILE, and
#   POSTGRES_PASSWORD_FILE for the JNDI pool, which startup.sh writes into Tomcat's server.xml from POSTGRES_PASSWORD
#   (envsubst, hence XML-escaped here).
# - GeoStack's files (components/geoserver/data-dir.ts, uploaded under GEOSTACK_SEED): a new data directory also gets
#   new-data-dir/ (its workspace, PostGIS store and logging), each file only where it has none; security/services.properties
#   is installed while the data directory has none or still the image's (which has no rule); geowebcache-diskquota.xml,
#   if there is one, at every start (the quota is the stack's config).
# - The tile cache (GEOWEBCACHE_CACHE_DIR, a volume of its own) must be the server's to write: GeoWebCache silently falls
#   back to the data directory when it is not (DefaultStorageFinder).
# - Tomcat never runs as root: started as an unprivileged user (GeoStack's image is 999), startup.sh's RUN_UNPRIVILEGED
#   mode, which creates a user and switches to it, cannot work and is off; started as root (the official image), it is
#   on, with the ids 999 GeoStack's image and volumes use, and the few capabilities it needs must be there.
set -euo pipefail

fail() {
    echo "geostack-entrypoint: $*" >&2
    exit 1
}

# The content of the file the variable named $1 names; call it in an assignment of its own, so that a failure stops.
read_secret() {
    local file="${!1}"
    [ -r "${file}" ] || fail "$1=${file} is not a readable file"
    local value
    value="$(cat "${file}")"
    [ -n "${value}" ] || fail "$1=${file} is empty"
    printf '%s' "${value}"
}

# Copies each file under $1 to the same path under $2 where $2 has none (a file of the data directory is GeoServer's
# once it exists).
copy_missing() {
    local file relative
    while IFS= read -r -d '' file; do
        relative="${file#"$1"/}"
        if [ ! -e "$2/${relative}" ]; then
            install -D -m 0644 "${file}" "$2/${relative}"
            echo "geostack-entrypoint: created ${relative}"
        fi
    done < <(find "$1" -type f -print0)
}

xml_escape() {
    local value="$1"
    value="${value//'&'/'&amp;'}"
    value="${value//'<'/'&lt;'}"
    value="${value//'>'/'&gt;'}"
    value="${value//'"'/'&quot;'}"
    value="${value//"'"/'&apos;'}"
    printf '%s' "${value}"
}

: "${GEOSERVER_DATA_DIR:?GEOSERVER_DATA_DIR is not set}"
: "${CATALINA_HOME:?CATALINA_HOME is not set}"
data_dir="${GEOSERVER_DATA_DIR%/}"
template="${CATALINA_HOME}/webapps/geoserver/data/security"
users_xml="${data_dir}/security/usergroup/default/users.xml"
roles_xml="${data_dir}/security/role/default/roles.xml"

if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    database_password="$(read_secret POSTGRES_PASSWORD_FILE)"
    POSTGRES_PASSWORD="$(xml_escape "${database_password}")"
    export POSTGRES_PASSWORD
    unset POSTGRES_PASSWORD_FILE
fi

if [ -f "${users_xml}" ] && ! cmp --silent "${users_xml}" "${template}/usergroup/default/users.xml"; then
    echo "geostack-entrypoint: ${data_dir} has its users already; the administrator and every user and role are left as they are"
else
    admin_user="${GEOSERVER_ADMIN_USER:-admin}"
    [ -n "${GEOSERVER_ADMIN_PASSWORD_FILE:-}" ] || fail "a new data directory needs GEOSERVER_ADMIN_PASSWORD_FILE: GeoServer would start with the default admin/geoserver"
    admin_password="$(read_secret GEOSERVER_ADMIN_PASSWORD_FILE)"
    echo "geostack-entrypoint: setting up the administrator ${admin_user} of the new data directory ${data_dir}"
    mkdir -p "${data_dir}"
    # The image's own script: it copies the template security folder if there is none, then writes the two files.
    GEOSERVER_ADMIN_USER="${admin_user}" GEOSERVER_ADMIN_PASSWORD="${admin_password}" bash /opt/update_credentials.sh
    # It exits 0 even when it failed: check that users.xml is no longer the template and names the administrator.
    if [ ! -f "${users_xml}" ] || cmp --silent "${users_xml}" "${template}/usergroup/default/users.xml" ||
        ! grep --quiet --fixed-strings " name=\"${admin_user}\" " "${users_xml}" ||
        ! grep --quiet --fixed-strings "username=\"${admin_user}\"" "${roles_xml}"; then
        fail "the administrator's credentials were not written to ${users_xml} and ${roles_xml}"
    fi
    if [ -d "${GEOSTACK_SEED:-}/new-data-dir" ]; then copy_missing "${GEOSTACK_SEED}/new-data-dir" "${data_dir}"; fi
fi
# Set or not, startup.sh must not apply credentials again (handle_geoserver_admin_credentials.sh).
unset GEOSERVER_ADMIN_USER GEOSERVER_ADMIN_PASSWORD GEOSERVER_ADMIN_USER_FILE GEOSERVER_ADMIN_PASSWORD_FILE

services="${data_dir}/security/services.properties"
if [ -f "${GEOSTACK_SEED:-}/services.properties" ]; then
    if [ ! -e "${services}" ] || cmp --silent "${services}" "${template}/services.properties"; then
        install -D -m 0644 "${GEOSTACK_SEED}/services.properties" "${services}"
        echo "geostack-entrypoint: wrote security/services.properties: only the public OGC services answer anonymous requests"
    else
        echo "geostack-entrypoint: security/services.properties has rules of its own; left as it is"
    fi
fi

if [ -f "${GEOSTACK_SEED:-}/geowebcache-diskquota.xml" ]; then
    : "${GEOWEBCACHE_CONFIG_DIR:?GEOWEBCACHE_CONFIG_DIR is not set: the disk quota has no place}"
    install -D -m 0644 "${GEOSTACK_SEED}/geowebcache-diskquota.xml" "${GEOWEBCACHE_CONFIG_DIR%/}/geowebcache-diskquota.xml"
fi

if [ -n "${GEOWEBCACHE_CACHE_DIR:-}" ]; then
    tiles="${GEOWEBCACHE_CACHE_DIR%/}"
    if [ "$(id -u)" = 0 ]; then
        # A new volume's root is root's when the image has no such folder; the server runs as 999 (below). Its top only:
        # the tiles inside are the server's already, and there may be millions.
        mkdir -p "${tiles}"
        [ "$(stat -c %u:%g "${tiles}")" = 999:999 ] || chown 999:999 "${tiles}" ||
            fail "cannot hand the tile cache ${tiles} to uid 999 (the container needs CHOWN)"
    elif [ ! -d "${tiles}" ] || [ ! -w "${tiles}" ]; then
        fail "the tile cache ${tiles} is not a folder uid $(id -u) can write: GeoWebCache would put the tiles in the data directory instead"
    fi
fi

if [ "$(id -u)" = 0 ]; then
    # startup.sh then rewrites Tomcat's conf and hands its folders to 999 (chown -R) before it switches to 999 with
    # setpriv. Without CHOWN (bit 0), DAC_OVERRIDE (1), FOWNER (3), SETGID (6) and SETUID (7) it would fail halfway,
    # and only `pulumi up`'s wait for the healthcheck would tell: say which setting is missing instead.
    effective=0
    while read -r key value; do [ "${key}" = CapEff: ] && effective=$((16#${value})); done < /proc/self/status
    needed=$(((1 << 0) | (1 << 1) | (1 << 3) | (1 << 6) | (1 << 7)))
    [ $((effective & needed)) = "${needed}" ] ||
        fail "started as root without CHOWN, DAC_OVERRIDE, FOWNER, SETUID and SETGID, which the image's startup.sh needs to switch to uid 999: an image that starts as root needs the GeoServer component's imageStartsAsRoot (GeoStack: geoserverImageStartsAsRoot)"
    export RUN_UNPRIVILEGED=true RUN_WITH_USER_UID=999 RUN_WITH_USER_GID=999
else
    export RUN_UNPRIVILEGED=false
fi

exec bash /opt/startup.sh "$@"
