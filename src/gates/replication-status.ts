/**
 * One replication channel as SHOW SLAVE STATUS / SHOW REPLICA STATUS describe it, with MySQL's
 * old and new column names (Slave_IO_Running / Replica_IO_Running...) already folded together.
 */
export interface ReplicationChannel {
  /** MariaDB multi-source connection name or MySQL channel; empty for the default one. */
  readonly name: string;
  /** `Yes`, `No` or `Connecting`. */
  readonly ioRunning: string;
  readonly sqlRunning: string;
  /** Seconds_Behind_Master / Seconds_Behind_Source; null while the server cannot tell. */
  readonly secondsBehind: number | null;
  readonly lastIoError?: string;
  readonly lastSqlError?: string;
}

/** What a probe saw of a server's replication. */
export type ReplicationObservation =
  | { readonly readable: true; readonly channels: readonly ReplicationChannel[] }
  | { readonly readable: false; readonly error: string };

/** The role the inventory gives the server, which says whether replication must be there. */
export type ReplicationRole = 'primary' | 'replica' | undefined;

export function describeChannel(channel: ReplicationChannel): string {
  const name = channel.name === '' ? '' : `${channel.name}: `;
  const lag = channel.secondsBehind === null ? 'lag unknown' : `${channel.secondsBehind}s behind`;
  const errors = [channel.lastIoError, channel.lastSqlError].filter(
    (error) => error !== undefined && error !== '',
  );
  return `${name}IO ${channel.ioRunning}, SQL ${channel.sqlRunning}, ${lag}${errors.length > 0 ? ` (${errors.join('; ')})` : ''}`;
}

export function channelRunning(channel: ReplicationChannel): boolean {
  return channel.ioRunning === 'Yes' && channel.sqlRunning === 'Yes';
}
