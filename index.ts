import * as pulumi from "@pulumi/pulumi";
import { GeoStack } from "./components";
import { loadStackConfig } from "./config";

const geostack = new GeoStack("geostack", { ...loadStackConfig(), namePrefix: `${pulumi.getProject()}-${pulumi.getStack()}` });

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
export const backupOffsiteRepository = geostack.backupOffsiteRepository;
