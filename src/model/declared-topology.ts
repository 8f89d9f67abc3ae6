/**
 * What a server's entry in its hardware-class file says of replication: a cluster and a role, or
 * neither (`none`). `discover --write` computes one per server from what the servers say.
 */
export type DeclaredTopology = { readonly cluster: string; readonly role: 'primary' | 'replica' } | 'none';
