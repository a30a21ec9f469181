/**
 * `npm run render -- --stack <name> [--json]`: runs the program offline under the provider mocks and prints every
 * resource the stack declares and its outputs. No Pulumi CLI, state backend or Docker is needed.
 * `--project-dir` and `--program` render another checkout (render:diff uses them for the base ref).
 */
import * as path from "node:path";
import * as util from "node:util";
import { formatJson, formatText, type Relocations, render } from "./render";
import { runProgram } from "./run";
import { findProjectDir, isUsageError, programOf, projectName, secretKeysOf, stackConfig, stackFileExists, UsageError } from "./stack-config";

export interface CliOptions {
    stack: string;
    json: boolean;
    projectDir: string;
    program: string;
}

export function parseArgs(argv: string[]): CliOptions {
    const { values } = util.parseArgs({
        args: argv,
        options: { stack: { type: "string" }, json: { type: "boolean", default: false }, "project-dir": { type: "string" }, program: { type: "string" } },
    });
    if (!values.stack) throw new UsageError("--stack <name> is required");
    const projectDir = values["project-dir"] ? path.resolve(values["project-dir"]) : findProjectDir();
    return {
        stack: values.stack,
        json: values.json ?? false,
        projectDir,
        program: values.program ? path.resolve(values.program) : programOf(projectDir),
    };
}

const USAGE = "usage: npm run render -- --stack <name> [--json] [--project-dir <dir>] [--program <entry point>]";

/** An error as `pulumi up` reports a program that throws; validation errors carry no stack trace (their message says it all). */
export function programError(projectDir: string, err: unknown): string {
    const shown = err instanceof Error && err.name === "InvalidInputError" ? `${err.name}: ${err.message}` : util.inspect(err);
    return `error: Running program '${projectDir}' failed with an unhandled exception:\n${shown}\n`;
}

async function main(argv: string[]): Promise<number> {
    let options: CliOptions;
    try {
        options = parseArgs(argv);
    } catch (err) {
        if (!isUsageError(err)) throw err;
        process.stderr.write(`render: ${err.message}\n${USAGE}\n`);
        return 2;
    }
    if (!stackFileExists(options.projectDir, options.stack)) {
        process.stderr.write(`error: no stack file Pulumi.${options.stack}.yaml in ${options.projectDir}\n`);
        return 1;
    }
    const fail = (err: unknown): never => {
        process.stderr.write(programError(options.projectDir, err));
        process.exit(1);
    };
    // Errors thrown inside apply callbacks surface here, as they do under `pulumi up`.
    process.on("unhandledRejection", fail);
    process.on("uncaughtException", fail);
    // As under `pulumi up`, the program runs in the project directory.
    process.chdir(options.projectDir);
    const project = projectName(options.projectDir);
    const config = stackConfig(options.stack, options.projectDir);
    const deployed = await runProgram({
        project,
        stack: options.stack,
        config,
        secretKeys: secretKeysOf(options.stack, options.projectDir, config),
        load: () => import(options.program),
    }).catch(fail);
    const programDir = path.dirname(options.program);
    const relocations: Relocations = programDir === options.projectDir ? [] : [[programDir, options.projectDir]];
    const rendered = render(project, options.stack, deployed, [...relocations, [options.projectDir, "."]]);
    process.stdout.write(options.json ? formatJson(rendered) : formatText(rendered));
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
