// Per-run registry of the nodes this run cordoned (cordon or drain), so a failure or Ctrl-C can uncordon
// them in rescue. Only what this run did is undone: a node that was already cordoned by a human before the
// run is still recorded when we cordon it (kubectl cordon is idempotent), which is the accepted trade-off.

export interface CordonedNode {
  /** inventory host the node belongs to */
  host: string;
  /** Kubernetes node name */
  node: string;
  /** where kubectl ran ("localhost" = the controller); the uncordon runs there too */
  delegate: string;
  /** leaveCordonedOnFailure: a human wants to look at the node; rescue must not uncordon it */
  leave: boolean;
}

export class CordonTracker {
  private readonly byHost = new Map<string, CordonedNode>();

  markCordoned(host: string, node: string, delegate: string, leave = false): void {
    this.byHost.set(host, { host, node, delegate, leave });
  }

  markUncordoned(host: string): void {
    this.byHost.delete(host);
  }

  pendingFor(host: string): CordonedNode | undefined {
    return this.byHost.get(host);
  }

  /** every node still cordoned by this run, in the order they were cordoned */
  pending(): CordonedNode[] {
    return [...this.byHost.values()];
  }
}
