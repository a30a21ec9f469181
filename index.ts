import * as dockerbuild from "@pulumi/docker-build";
import { GeoStack, type GeoStackArgs, GeoStackSwarm } from "./components";
import { imageBuildHost, keepSecretInputs, keepSecretOutputs, loadStackConfig } from "./config";

const config = loadStackConfig();
// Legacy transformations: they reach every child of the component (and still run under the test mocks, where `transforms` do not).
const transformations = [keepSecretInputs(config.secretValues)];

function singleHost(args: GeoStackArgs & { namePrefix: string }) {
    const buildHost = imageBuildHost();
    // The GeoServer image is built on the Docker host that runs it (docker:host): see imageBuildHost.
    const providers = buildHost === undefined ? undefined : [new dockerbuild.Provider("docker-host-image-builder", { host: buildHost })];
    return new GeoStack("geostack", args, { providers, transformations });
}

// `geostack:platform: swarm` (Pulumi.swarm.yaml) runs the stack as Swarm services through docker:host, a manager; it builds nothing.
const geostack = keepSecretOutputs(
    config.platform === "swarm" ? new GeoStackSwarm("geostack", config.args, { transformations }) : singleHost(config.args),
    config.secretValues,
);

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
export const backupVolumeName = geostack.backupVolumeName;
export const backupContainerName = geostack.backupContainerName;
