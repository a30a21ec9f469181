import { describe, expect, it } from "vitest";
import { postgisImage, postgresDataPath, postgresMajorOf } from "../../../components/postgis/postgres";

describe("the PostGIS image", () => {
    it("gives its PostgreSQL major in the tag", () => {
        expect(postgresMajorOf("postgis/postgis:17-3.5")).toBe(17);
        expect(postgresMajorOf("postgis/postgis:18-3.6-alpine")).toBe(18);
        expect(postgresMajorOf("postgis/postgis:latest")).toBeUndefined();
    });

    it("keeps the cluster where its major expects it: PostgreSQL 18 one level up", () => {
        expect(postgresDataPath(17)).toBe("/var/lib/postgresql/data");
        expect(postgresDataPath(18)).toBe("/var/lib/postgresql");
    });

    it("must name a PostgreSQL major of 14 or later", () => {
        for (const ok of ["postgis/postgis:17-3.5", "postgis/postgis:18-3.6", "postgis/postgis:14-3.4"]) expect(postgisImage(ok), ok).toBeUndefined();
        for (const bad of ["postgis/postgis:latest", "postgis/postgis:13-3.4", "postgis/postgis", "Postgis/PostGIS::17"]) {
            expect(postgisImage(bad), bad).toMatch(/^a postgis\/postgis image whose tag starts with the PostgreSQL major, 14 or later/);
        }
    });
});
