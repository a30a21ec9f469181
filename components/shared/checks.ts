import { isIP } from "node:net";
import type { Check } from "./args";
import { parseImageReference, registryHostOf } from "./image-ref";

/** Checks shared by several components. Each is a `Check`: what is expected when the value is wrong, else undefined. */

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const dnsName: Check<string> = (value) => {
    const labels = value.split(".");
    const ok = value.length <= 253 && labels.length >= 2 && labels.every((l) => HOST_LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]);
    return ok ? undefined : "a lower-case DNS name such as geostack.example.org (no scheme, port, path or IP address)";
};

// Reserved for local use or documentation (RFC 2606, 6761, 6762, 8375, ICANN's .internal): Let's Encrypt cannot
// validate them, so asking it for a certificate only burns rate limit.
const UNCERTIFIABLE_SUFFIXES = ["localhost", "local", "test", "internal", "example", "invalid", "home.arpa"];

/** A DNS name Let's Encrypt can issue a certificate for: public, at least two labels, not an IP address. */
export const certifiableDomain: Check<string> = (value) => {
    const reserved = UNCERTIFIABLE_SUFFIXES.find((suffix) => value === suffix || value.endsWith(`.${suffix}`));
    return dnsName(value) === undefined && reserved === undefined
        ? undefined
        : `a public DNS name Let's Encrypt can certify (not an IP address, a single label or a name under .${UNCERTIFIABLE_SUFFIXES.join(", .")})`;
};

export const emailAddress: Check<string> = (value) =>
    /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(value) ? undefined : "an e-mail address such as admin@example.org";

function isCidr(value: string): boolean {
    const [address, prefix, ...rest] = value.split("/");
    if (rest.length > 0 || prefix === undefined || !/^\d{1,3}$/.test(prefix)) return false;
    const bits = address.includes("%") ? 0 : isIP(address);
    return bits !== 0 && Number(prefix) <= (bits === 4 ? 32 : 128);
}

export const cidrList: Check<string[]> = (value) => {
    const bad = value.filter((entry) => !isCidr(entry));
    return bad.length === 0
        ? undefined
        : `IPv4 or IPv6 ranges in CIDR notation, such as 203.0.113.0/24 or 2001:db8::/32 (not CIDRs: ${bad.map((b) => JSON.stringify(b)).join(", ")})`;
};

/** Wider than this is a good part of the internet, not a team's addresses (0.0.0.0/0 and ::/0 are everyone). */
// IPv6 /7 still admits the unique local range fc00::/7, as the dev stack does.
const WIDEST_ADMIN_PREFIX = { 4: 8, 6: 7 } as const;

/** CIDRs of the people who may administer: none so wide that it opens the admin UI to (much of) the internet. */
export const adminCidrList: Check<string[]> = (value) => {
    const notCidrs = cidrList(value);
    if (notCidrs !== undefined) return notCidrs;
    const tooWide = value.filter((entry) => {
        const [address, prefix] = entry.split("/");
        return Number(prefix) < WIDEST_ADMIN_PREFIX[isIP(address) as 4 | 6];
    });
    return tooWide.length === 0
        ? undefined
        : `the admins' own address ranges, none wider than /${WIDEST_ADMIN_PREFIX[4]} (IPv4) or /${WIDEST_ADMIN_PREFIX[6]} (IPv6): ${tooWide
              .map((b) => JSON.stringify(b))
              .join(", ")} would open the web UI and REST API to ${tooWide.some((b) => b.endsWith("/0")) ? "everyone" : "much of the internet"}`;
};

/** A Unix group ID other than root's. */
export const groupId: Check<number> = (value) =>
    Number.isInteger(value) && value >= 1 && value <= 2_147_483_647
        ? undefined
        : "a group ID, a whole number from 1 (the output of stat -c %g /var/run/docker.sock)";

export const tcpPort: Check<number> = (value) => (Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : "an integer TCP port from 1 to 65535");

export const requestRate: Check<number> = (value) =>
    Number.isInteger(value) && value >= 1 && value <= 1_000_000 ? undefined : "a whole number of requests, at least 1";

/**
 * Docker's --cpus, from 0.1 to 9.99. The provider reads the limit back through kreuzwerker's nanoInt64ToDecimalString,
 * which turns 10 or more into "10." and 0.01 to 0.09 into "0.0" or "0.1": no value we could send would match, and
 * `cpus` replaces the container whenever it differs.
 */
export const cpuLimit: Check<string> = (value) => {
    const ok = /^\d(\.\d{1,2})?$/.test(value) && Number(value) >= 0.1;
    return ok ? undefined : "a number of CPUs from 0.1 to 9.99 with at most two decimals, such as 2 or 1.5";
};

/** A container memory limit: below `min` MiB the process does not start reliably. */
export function memoryMb(min: number): Check<number> {
    return (value) => (Number.isInteger(value) && value >= min && value <= 1_048_576 ? undefined : `a whole number of MiB, at least ${min}`);
}

/**
 * The longest name derived from the prefix is `<prefix>-docker-socket-proxy` (20 more characters), and a container
 * name must stay a DNS label (63 characters) to resolve on Docker's networks.
 */
export const MAX_NAME_PREFIX_LENGTH = 40;

export const dockerNamePrefix: Check<string> = (value) =>
    new RegExp(`^[a-z0-9][a-z0-9_-]{0,${MAX_NAME_PREFIX_LENGTH - 1}}$`).test(value)
        ? undefined
        : `a prefix of lower-case letters, digits, '-' and '_', starting with a letter or digit, at most ${MAX_NAME_PREFIX_LENGTH} characters (e.g. geostack-dev): traefik reads a '.' in a router's name as a separator, and every container name must stay a DNS label`;

export const userName: Check<string> = (value) =>
    /^[A-Za-z][A-Za-z0-9_.-]{0,62}$/.test(value) ? undefined : "a user name of letters, digits, '_', '.', '-', starting with a letter";

/** No whitespace (a registry user name). */
export const token: Check<string> = (value) => (/^\S+$/.test(value) ? undefined : "no whitespace");

export const httpsUrl: Check<string> = (value) => {
    if (!/^https:\/\/[^\s/$.?#][^\s]*$/.test(value)) return "an https:// URL, such as https://github.com/<owner>/geostack";
    // Written into a public image label: a token in it would be published with the image.
    return hasCredentials(value) ? "an https:// URL without a user name or password in it (the label is public)" : undefined;
};

/** Whether a URL carries credentials (`https://user:token@host/...`). */
export function hasCredentials(url: string): boolean {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
}

export const imageReference: Check<string> = (value) => (parseImageReference(value) ? undefined : "a Docker image reference such as registry/name:tag");

export const imageRepository: Check<string> = (value) => {
    const ref = parseImageReference(value);
    return ref && ref.tag === undefined && ref.digest === undefined
        ? undefined
        : "a lower-case image repository without tag or digest, such as ghcr.io/<owner>/geoserver";
};

/** A repository the program can push to: the provider needs the registry host in the name. */
export const pushableRepository: Check<string> = (value) =>
    imageRepository(value) === undefined && registryHostOf(value) !== undefined
        ? undefined
        : "a repository that starts with its registry host, such as ghcr.io/<owner>/geoserver, to push to";
