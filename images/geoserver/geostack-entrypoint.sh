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
fi
# Set or not, startup.sh must not apply credentials again (handle_geoserver_admin_credentials.sh).
unset GEOSERVER_ADMIN_USER GEOSERVER_ADMIN_PASSWORD GEOSERVER_ADMIN_USER_FILE GEOSERVER_ADMIN_PASSWORD_FILE

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
