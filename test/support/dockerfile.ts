/** A small reader of Dockerfiles for tests: instructions with their continuation lines joined, comments dropped. */

export interface Instruction {
    keyword: string;
    /** Everything after the keyword, continuation lines joined as the builder joins them (the backslash-newline removed). */
    args: string;
    /** 1-based line of the keyword. */
    line: number;
}

export function parseDockerfile(text: string): Instruction[] {
    const instructions: Instruction[] = [];
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const first = lines[i].trim();
        if (first === "" || first.startsWith("#")) continue;
        const line = i + 1;
        let body = lines[i];
        while (body.endsWith("\\") && i + 1 < lines.length) {
            body = `${body.slice(0, -1)}${lines[++i]}`;
        }
        const match = body.trim().match(/^(\S+)\s*([\s\S]*)$/)!;
        instructions.push({ keyword: match[1].toUpperCase(), args: match[2], line });
    }
    return instructions;
}

/** `NAME=default` or `NAME` of an ARG instruction; a default in quotes loses them. */
export function argOf(instruction: Instruction): { name: string; default?: string } {
    const [name, ...rest] = instruction.args.split("=");
    if (rest.length === 0) return { name: name.trim() };
    return {
        name: name.trim(),
        default: rest
            .join("=")
            .trim()
            .replace(/^"(.*)"$/, "$1"),
    };
}

/** `${NAME}` and `$NAME` replaced from the given values (as the builder does in FROM, ARG, LABEL, USER, ...). */
export function substitute(text: string, values: Record<string, string>): string {
    return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced, bare) => values[braced ?? bare] ?? whole);
}

/** LABEL key="value" pairs (values in double quotes, as this project writes them). */
export function labelsOf(instruction: Instruction): Record<string, string> {
    const labels: Record<string, string> = {};
    for (const match of instruction.args.matchAll(/([\w.-]+)="([^"]*)"/g)) labels[match[1]] = match[2];
    return labels;
}
