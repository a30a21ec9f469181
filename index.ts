import * as dockerbuild from "@pulumi/docker-build";
import { GeoStack } from "./components";
import { imageBuildHost, keepSecretInputs, keepSecretOutputs, loadStackConfig } from "./config";

const { args, secretValues } = loadStackConfig();
const buildHost = imageBuildHost();
// The GeoServer image is built on the Docker host that runs it (docker:host): see imageBuildHost.
const providers = buildHost === undefined ? undefined : [new dockerbuild.Provider("docker-host-image-builder", { host: buildHost })];
// Legacy transformations: they reach every child of GeoStack (and still run under the test mocks, where `transforms` do not).
const transformations = [keepSecretInputs(secretValues)];
const geostack = keepSecretOutputs(new GeoStack("geostack", args, { providers, transformations }), secretValues);

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
