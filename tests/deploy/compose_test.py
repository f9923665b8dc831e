"""deploy/collector/compose: the compose file cannot run here (no container runtime), so this
keeps it honest by reading it: the services and images, the variables .env must set, what the
collector container mounts, and the collector configuration it mounts, which the real collector
binary must accept (--check-config) with both sinks pointing at compose services.

Usage: compose_test.py SOURCE_DIR COLLECTOR_BIN
"""

import os
import re
import subprocess
import sys
import unittest

import yaml

SOURCE = None
COLLECTOR = None


class ComposeFile(unittest.TestCase):
    def setUp(self):
        self.dir = os.path.join(SOURCE, "deploy", "collector", "compose")
        with open(os.path.join(self.dir, "compose.yaml")) as f:
            self.text = f.read()
        self.compose = yaml.safe_load(self.text)
        self.services = self.compose["services"]
        with open(os.path.join(self.dir, "collector.yaml")) as f:
            self.collector_config = yaml.safe_load(f)

    def test_services_and_pinned_images(self):
        self.assertEqual(set(self.services),
                         {"elasticsearch", "es-setup", "kibana", "cassandra", "collector"})
        versions = {}
        for name, svc in self.services.items():
            if "image" in svc:
                repo, _, tag = svc["image"].rpartition(":")
                self.assertTrue(tag and tag != "latest", f"{name}: pin the image version")
                versions[repo.rsplit("/", 1)[-1]] = tag
        # Kibana must match Elasticsearch's version exactly.
        self.assertEqual(versions["kibana"], versions["elasticsearch"])

    def test_every_variable_is_in_env_example(self):
        used = set(re.findall(r"(?<!\$)\$\{([A-Z_]+)", self.text))
        with open(os.path.join(self.dir, "env.example")) as f:
            defined = {line.split("=", 1)[0] for line in f
                       if "=" in line and not line.startswith("#")}
        self.assertTrue(used)
        self.assertEqual(used - defined, set(), "variables compose.yaml needs but env.example lacks")

    def test_only_the_collector_and_kibana_are_reachable(self):
        published = {n: s.get("ports", []) for n, s in self.services.items() if s.get("ports")}
        self.assertEqual(set(published), {"collector", "kibana"})
        self.assertTrue(all(p.startswith("127.0.0.1:") for p in published["kibana"]))

    def test_collector_container(self):
        c = self.services["collector"]
        context = os.path.normpath(os.path.join(self.dir, c["build"]["context"]))
        self.assertEqual(context, os.path.normpath(SOURCE))
        dockerfile = os.path.join(context, c["build"]["dockerfile"])
        self.assertTrue(os.path.exists(dockerfile))
        with open(dockerfile) as f:
            docker = f.read()
        # The package name CPack gives the collector component (tests/deploy/deb_test.sh).
        self.assertIn("COPY build/airfleet-collector_*_amd64.deb", docker)
        mounts = {v.split(":")[1]: v.split(":")[0] for v in c["volumes"]}
        self.assertTrue(os.path.exists(os.path.join(self.dir, mounts["/etc/airfleet/collector.yaml"])))
        # The TLS files the configuration names live in the mounted pki directory.
        for key in ("ca", "cert", "key"):
            self.assertTrue(self.collector_config["tls"][key].startswith("/etc/airfleet/pki/"))
        # The ES password file is the compose secret.
        es = self.collector_config["sinks"]["elasticsearch"]
        secret = es["password_file"].rsplit("/", 1)[-1]
        self.assertEqual(es["password_file"], f"/run/secrets/{secret}")
        self.assertIn(secret, c["secrets"])
        self.assertIn(secret, self.compose["secrets"])

    def test_sinks_point_at_compose_services(self):
        sinks = self.collector_config["sinks"]
        for host in sinks["elasticsearch"]["hosts"]:
            m = re.fullmatch(r"http://([a-z-]+):9200", host)
            self.assertTrue(m and m.group(1) in self.services, host)
        for point in sinks["cassandra"]["contact_points"]:
            name, _, port = point.partition(":")
            self.assertIn(name, self.services)
            self.assertEqual(port, "9042")
        # The keyspace's replication names the data centre the Cassandra container declares.
        dc = [e.split("=", 1)[1] for e in self.services["cassandra"]["environment"]
              if e.startswith("CASSANDRA_DC=")][0]
        self.assertIn(f"'{dc}'", sinks["cassandra"]["replication"])

    def test_the_collector_accepts_the_configuration(self):
        p = subprocess.run([COLLECTOR, "--config", os.path.join(self.dir, "collector.yaml"),
                            "--check-config"], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("external sinks enabled", p.stdout)


if __name__ == "__main__":
    SOURCE, COLLECTOR = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)
