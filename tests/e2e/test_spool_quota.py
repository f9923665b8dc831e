"""Spool quota: with the collector down and a tiny --spool-quota-bytes the agent must drop the
oldest batches, record exactly what it dropped in its loss ledger and send that ledger to the
collector (Batch.health.losses), so loss is never silent:

    summaries stored by the collector + summaries in the agent's loss ledger
        == summaries produced (offline summarise of the same capture)

The ledger is visible through `airfleetctl agents --output json` (lost_batches, lost_summaries:
sums over the agent's last reported health). Each stored window must also be one of the offline
windows, intact (a dropped batch is dropped whole).
"""

import subprocess
import unittest

import fleet

CAPTURE = "Wireless-Internet-Project_MAC-Randomization__04_SamsungA53_01.pcap"
QUOTA = 16 * 1024


class SpoolQuota(fleet.FleetTestCase):
    def replay_over_quota(self):
        """Replays CAPTURE with the collector down and a tiny quota, then starts the collector and
        waits for the drain. Returns (offline windows, exported windows, agent info)."""
        f = self.fleet = fleet.Fleet(self)
        pcap = fleet.real_pcap(CAPTURE)
        offline = f.summarise(pcap, "60s")
        f.issue("agent", "pi-quota")
        addr = f"127.0.0.1:{fleet.free_port()}"
        agent = f.start_agent(pcap, addr, "pi-quota",
                              extra=["--spool-quota-bytes", str(QUOTA)])
        fleet.wait_until(lambda: agent.poll() is not None or
                         "device windows spooled" in fleet.read_tail(agent.log_path),
                         60, "the agent to finish reading the capture")
        self.assertIsNone(agent.poll(), fleet.read_tail(agent.log_path))
        self.assertIn(f"{len(offline)} device windows spooled", fleet.read_tail(agent.log_path))

        collector = f.collector(listen=addr)
        collector.start()
        try:
            rc = agent.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.fail("the backlog did not drain:\n" + fleet.read_tail(agent.log_path))
        self.assertEqual(rc, 0, fleet.read_tail(agent.log_path))
        exported = f.export_windows(collector.address)
        info = f.agents(collector.address)["pi-quota"]
        return offline, exported, info

    def test_drops_whole_batches_and_reports_a_ledger(self):
        offline, exported, info = self.replay_over_quota()
        stored = len(exported)
        # The quota really bit: something was dropped, and something survived.
        self.assertGreater(stored, 0)
        self.assertLess(stored, len(offline), "nothing was dropped: use a bigger capture or "
                        "a lower QUOTA")
        self.assertEqual(info["summaries"], stored)
        # Every surviving window is an intact offline window (no partials, no duplicates).
        got, want = fleet.multiset(exported), fleet.multiset(offline)
        self.assertFalse(got - want, "stored windows that the offline summariser did not produce")
        # Loss is not silent: the collector has a ledger from the agent.
        self.assertGreater(info["lost_batches"], 0, info)
        self.assertGreater(info["lost_summaries"], 0, info)
        # Whole sequences were dropped: what is stored plus what is recorded can't exceed what
        # was sent.
        self.assertLessEqual(info["batches"] + info["lost_batches"], info["committed_seq"], info)

    # BUG 1 (agent spool/uplink): the loss ledger reaches the collector only inside the health of
    # the next appended batch (RocksDbSpool::Append seals the health with the ledger as it was
    # *before* this append's quota drops, and the uplink never sends AgentMessage.heartbeat). So
    # the drops made by the last append of a replay are never reported: the collector sees e.g.
    # 5 stored + 10 lost batches out of 16 sequences.
    # BUG 2 (units): LossRecord.summaries counts windows + probe observations
    # (BatchInfo.summaries), while the collector's AgentInfo.summaries counts windows only, so
    # `airfleetctl agents` shows SUMMARIES and LOST SUMM in different units and they cannot be
    # reconciled (here 131 stored + 342 "lost" > 410 produced windows).
    def test_stored_plus_ledger_equals_produced(self):
        offline, exported, info = self.replay_over_quota()
        # Every sequence the agent produced is either stored or in the ledger...
        self.assertEqual(info["batches"] + info["lost_batches"], info["committed_seq"],
                         f"batches stored + batches in the ledger != sequences sent: {info}")
        # ...and so is every summary.
        self.assertEqual(len(exported) + info["lost_summaries"], len(offline),
                         f"stored {len(exported)} + ledger {info['lost_summaries']} != produced "
                         f"{len(offline)}; agent as the collector sees it: {info}")


if __name__ == "__main__":
    fleet.main()
