import * as pulumi from "@pulumi/pulumi";
import * as dockerbuild from "@pulumi/docker-build";
import { GeoStack, type GeoStackArgs, GeoStackSwarm } from "./components";
import { imageBuildHost, loadStackConfig } from "./config";

const config = loadStackConfig();
const namePrefix = `${pulumi.getProject()}-${pulumi.getStack()}`;

function singleHost(args: GeoStackArgs) {
    const buildHost = imageBuildHost();
    // The GeoServer image is built on the Docker host that runs it (docker:host): see imageBuildHost.
    const providers = buildHost === undefined ? undefined : [new dockerbuild.Provider("docker-host-image-builder", { host: buildHost })];
    return new GeoStack("geostack", { ...args, namePrefix }, { providers });
}

// `geostack:platform: swarm` (Pulumi.swarm.yaml) runs the stack as Swarm services through docker:host, a manager; it builds nothing.
const geostack = config.platform === "swarm" ? new GeoStackSwarm("geostack", { ...config.args, namePrefix }) : singleHost(config.args);

export const geoserverUrl = geostack.url;
export const geoserverAdminUser = geostack.adminUser;
export const geoserverAdminPassword = geostack.adminPassword;
export const databasePassword = geostack.databasePassword;
export const databaseSuperuserPassword = geostack.databaseSuperuserPassword;
export const databaseAddress = geostack.databaseAddress;
export const containerNames = geostack.containerNames;
export const volumeNames = geostack.volumeNames;
export const traefikDashboardUrl = geostack.dashboardUrl;
export const traefikDashboardPassword = geostack.dashboardPassword;
export const geoserverImageName = geostack.geoserverImageName;
export const geoserverImageDigest = geostack.geoserverImageDigest;
