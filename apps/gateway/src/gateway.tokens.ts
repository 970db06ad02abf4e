/** The gateway's service name in the registry. */
export const GATEWAY_SERVICE = 'gateway';
/** The `ContextClient` of every context app, by service name. */
export const CONTEXT_CLIENTS = Symbol('ContextClients');
/** The composed GraphQL schema the gateway serves. */
export const COMPOSED_SCHEMA = Symbol('ComposedSchema');
