import pytest

from launchready_tui.core.errors import ProfileError
from launchready_tui.core.profile import load_profile, net_config, parse_profile

GOOD = """\
project: Acme Creators
domain: acme.example
canonical_host: acme.example
hosts:
  www: www.acme.example
  app: app.acme.example
email:
  domain: acme.example
  dkim_selectors: [google, s1]
  senders: ["include:_spf.google.com", "192.0.2.10"]
environments:
  production: {url: "https://app.acme.example", env_file: .env.production}
required_env: [DATABASE_URL]
monitor: ["https://acme.example/"]
performance:
  routes: [{url: "https://admin.acme.example/admin/users", method: GET, budget_ms: 300}]
  pages:  [{url: "https://app.acme.example/", budget_ms: 2000}]
rate_limit: [{url: "https://api.acme.example/login", method: POST, max_attempts: 20}]
code: {paths: ["."], bundles: ["dist/"], logs: ["logs/"]}
deploy: {command: "make deploy", rollback: "make rollback", smoke: ["https://app.acme.example/health"]}
network:
  nameservers: ["1.1.1.1", "127.0.0.1:5353"]
  connect_to: ["acme.example:443:127.0.0.1:8443"]
  ca_bundle: null
  timeout_s: 5
"""


def test_full_contract_profile_loads():
    p = parse_profile(GOOD, "launchready.yaml")
    assert p.project == "Acme Creators"
    assert p.domain == "acme.example"
    assert p.all_hosts() == ["acme.example", "www.acme.example", "app.acme.example"]
    assert p.warnings == ()
    cfg = net_config(p)
    assert [str(n) for n in cfg.nameservers] == ["1.1.1.1", "127.0.0.1:5353"]
    assert cfg.connect_to[0].to_port == 8443
    assert cfg.timeout_s == 5


def test_only_project_and_domain_are_required():
    p = parse_profile("project: X\ndomain: x.example\n")
    assert p.hosts == {}
    with pytest.raises(ProfileError) as e:
        parse_profile("project: X\n", "p.yaml")
    assert e.value.problems[0].field == "domain"
    assert "missing" in str(e.value)


def test_wrong_type_names_file_line_and_key():
    text = GOOD.replace("timeout_s: 5", "timeout_s: soon")
    with pytest.raises(ProfileError) as e:
        parse_profile(text, "/tmp/launchready.yaml")
    prob = e.value.problems[0]
    assert prob.file == "/tmp/launchready.yaml"
    assert prob.field == "network.timeout_s"
    assert prob.line == text.splitlines().index("  timeout_s: soon") + 1
    assert "a number" in prob.format()


def test_list_item_error_points_at_its_line():
    text = "project: X\ndomain: x.example\nmonitor:\n  - https://x.example/\n  - {bad: 1}\n"
    with pytest.raises(ProfileError) as e:
        parse_profile(text, "p.yaml")
    assert e.value.problems[0].field == "monitor[1]"
    assert e.value.problems[0].line == 5


def test_unknown_key_is_a_warning_with_did_you_mean():
    p = parse_profile("project: X\ndomain: x.example\nmonitr: []\n", "p.yaml")
    assert len(p.warnings) == 1
    w = p.warnings[0]
    assert w.line == 3 and "did you mean 'monitor'" in w.message


def test_not_yaml_gives_line():
    with pytest.raises(ProfileError) as e:
        parse_profile("project: X\ndomain: [unclosed\n", "p.yaml")
    assert e.value.problems[0].line is not None
    assert "not valid YAML" in str(e.value)


def test_top_level_not_a_mapping():
    with pytest.raises(ProfileError, match="mapping"):
        parse_profile("- a\n- b\n", "p.yaml")


def test_missing_file(tmp_path):
    with pytest.raises(ProfileError, match="launchready init"):
        load_profile(tmp_path / "launchready.yaml")


def test_non_utf8_file(tmp_path):
    f = tmp_path / "launchready.yaml"
    f.write_bytes(b"project: X\ndomain: \xff\xfe\n")
    with pytest.raises(ProfileError) as e:
        load_profile(f)
    assert e.value.problems[0].line == 2


def test_bad_nameserver_and_connect_to_are_errors():
    text = "project: X\ndomain: x.example\nnetwork:\n  nameservers: [dns.google]\n  connect_to: ['a:b']\n"
    with pytest.raises(ProfileError) as e:
        parse_profile(text, "p.yaml")
    fields = {p.field for p in e.value.problems}
    assert fields == {"network.nameservers[0]", "network.connect_to[0]"}


def test_domain_that_is_a_url_is_rejected():
    with pytest.raises(ProfileError, match="looks like a URL"):
        parse_profile("project: X\ndomain: https://x.example/\n")


def test_relative_paths_resolve_against_profile_folder(tmp_path):
    f = tmp_path / "sub" / "launchready.yaml"
    f.parent.mkdir()
    f.write_text("project: X\ndomain: x.example\n")
    p = load_profile(f)
    assert p.resolve_path(".env") == tmp_path / "sub" / ".env"
    assert p.state_dir == tmp_path / "sub" / ".launchready"
