import * as pulumi from "@pulumi/pulumi";
import * as dockerbuild from "@pulumi/docker-build";
import { GeoStack } from "./components";
import { imageBuildHost, loadStackConfig } from "./config";

const args = { ...loadStackConfig(), namePrefix: `${pulumi.getProject()}-${pulumi.getStack()}` };
const buildHost = imageBuildHost();
// The GeoServer image is built on the Docker host that runs it (docker:host): see imageBuildHost.
const providers = buildHost === undefined ? undefined : [new dockerbuild.Provider("docker-host-image-builder", { host: buildHost })];
const geostack = new GeoStack("geostack", args, { providers });

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
