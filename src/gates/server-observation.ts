/**
 * What one server says about itself when asked (gates/probes/topology-probe.ts gathers it): its
 * replication source, the replicas registered with it, read_only, and who is connected. The
 * topology check and the client list judge these facts; they never query anything themselves.
 */

/** The server's replication source, from SHOW REPLICA STATUS / SHOW SLAVE STATUS. */
export interface ObservedSource {
  readonly host: string;
  readonly port: number;
  /** Master_Server_Id / Source_Server_Id; undefined while the IO thread never connected (0). */
  readonly serverId?: number;
  readonly ioRunning: string;
  readonly sqlRunning: string;
}

/** One replica registered with the server, from SHOW REPLICAS / SHOW REPLICA HOSTS / SHOW SLAVE HOSTS. */
export interface RegisteredReplica {
  readonly serverId: number;
  /** report_host, or the address it connected from. */
  readonly host: string;
  readonly port: number;
}

/** One row of information_schema.PROCESSLIST. */
export interface ProcessRow {
  readonly id: number;
  readonly user: string;
  /** `address:port` for TCP, `localhost` for the socket, empty for the server's own threads. */
  readonly host: string;
  readonly command: string;
}

/** A server that answered every question. */
export interface ReachableObservation {
  readonly reachable: true;
  readonly version: string;
  readonly serverId: number;
  readonly readOnly: boolean;
  /** Absent when the server replicates from nobody. */
  readonly source?: ObservedSource;
  readonly replicas: readonly RegisteredReplica[];
  /** dbwave's own connection, to leave out of the client list and to learn its own address. */
  readonly connectionId: number;
  readonly processes: readonly ProcessRow[];
}

export type ServerObservation = ReachableObservation | { readonly reachable: false; readonly error: string };

/** What the inventory says of a server: its address and the cluster and role a person typed. */
export interface DeclaredServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly cluster?: string;
  readonly role?: 'primary' | 'replica';
}

/** A server as declared, with what it said when asked. */
export interface ObservedServer {
  readonly declared: DeclaredServer;
  readonly observation: ServerObservation;
}
