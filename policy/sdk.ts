// What the rules and their tests take from @pulumi/policy without loading its index, which brings the gRPC server and a
// second @pulumi/pulumi into whoever imports it. proxy.js imports nothing; its .d.ts is empty in 1.21.0 (@internal),
// hence the declared shape.
import * as proxy from "@pulumi/policy/proxy";

export type * from "@pulumi/policy";

export const { UnknownValueError, unknownCheckingProxy } = proxy as unknown as {
    /** Thrown when a policy reads a value that is unknown during preview. */
    UnknownValueError: abstract new (
        ...args: never[]
    ) => Error;
    /** The SDK's wrapper of a resource's properties that throws UnknownValueError on reading an unknown. */
    unknownCheckingProxy<T extends object>(value: T): T;
};
