import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { Postgis } from "@geostack/components";

// Only a PostGIS, for an application of ours: the application's containers join `network` and connect to
// postgis:5432. The network is internal: the database has no route out of the Docker host.
const prefix = `${pulumi.getProject()}-${pulumi.getStack()}`;
const network = new docker.Network("app", { name: `${prefix}-app`, driver: "bridge", internal: true });
const database = new Postgis("database", { namePrefix: prefix, networkName: network.name });

export const networkName = network.name;
export const databaseContainer = database.containerName;
export const databaseHost = database.host;
export const databasePort = database.port;
export const databaseName = database.database;
export const databaseUser = database.username;
export const databasePassword = database.password;
