namespace Berth.Config;

/// <summary>
/// Every key berth.yml knows, block by block. Unknown-key detection and its suggestions come from these lists,
/// and <c>ConfigSchemaTests</c> checks that docs/berth.example.yml documents each one.
/// </summary>
public static class ConfigSchema
{
    // ---- top level ----
    public static readonly Setting Server = new("server", SettingSection.TopLevel, "a mapping of server settings (access_log:, graceful_timeout:, …)", "a mapping such as `server: { graceful_timeout: 30s }`");
    public static readonly Setting Apps = new("apps", SettingSection.TopLevel, "a mapping of app names to their settings", "a mapping such as `apps: { web: { module: app:application } }`") { Aliases = ["app", "applications"] };
    public static readonly Setting Deploy = new("deploy", SettingSection.TopLevel, "a mapping of deploy settings (hosts:, repository:, …)", "a mapping such as `deploy: { hosts: [deploy@example.com], repository: git@github.com:me/shop.git }`") { Aliases = ["deployment", "deploy_config", "capistrano", "kamal", "deployer"] };
    public static readonly Setting Sites = new("sites", SettingSection.TopLevel, "a mapping of site names to their settings", "a mapping such as `sites: { main: { listen: \":8000\", app: web } }`") { Aliases = ["site", "servers", "vhosts"] };

    // ---- server: ----
    public static readonly Setting AccessLog = new("access_log", SettingSection.Server, "a file path, or - for standard output", "- to log to standard output, or a file such as /var/log/berth/access.log", "--access-logfile") { Aliases = ["accesslog", "access_logfile", "logto"] };
    public static readonly Setting GracefulTimeout = new("graceful_timeout", SettingSection.Server, $"{Duration.Forms}", "a duration such as 30s", "--graceful-timeout") { Aliases = ["worker_shutdown_timeout", "shutdown_timeout"] };
    public static readonly Setting ForwardedAllowIps = new("forwarded_allow_ips", SettingSection.Server, "a list of IP addresses, or *", "the addresses of your proxies, such as [127.0.0.1, \"::1\"], or \"*\" to believe every peer", "--forwarded-allow-ips") { Aliases = ["set_real_ip_from", "trusted_proxies"] };
    public static readonly Setting MaxBodySize = new("max_body_size", SettingSection.Server, ByteSize.Forms, "a size such as 10M", "--max-body-size") { Aliases = ["client_max_body_size", "limit_post", "body_size"] };
    public static readonly Setting RuntimeDir = new("runtime_dir", SettingSection.Server, "a directory path", "a directory such as /run/berth") { Aliases = ["runtime_directory", "worker_tmp_dir"] };
    public static readonly Setting Storage = new("storage", SettingSection.Server, "a directory path", "a directory such as /var/lib/berth, writable only by the user berth runs as") { Aliases = ["storage_dir", "data_dir", "state_dir"] };
    public static readonly Setting AcmeDirectory = new("acme_directory", SettingSection.Server, "an https URL of an ACME directory", "https://acme-v02.api.letsencrypt.org/directory, or https://acme-staging-v02.api.letsencrypt.org/directory while testing") { Aliases = ["acme_ca", "acme_server", "ca_server", "server_url"] };
    public static readonly Setting AcmeEmail = new("acme_email", SettingSection.Server, "an email address", "an address such as admin@example.com, for expiry notices") { Aliases = ["email", "contact", "acme_contact"] };
    public static readonly Setting AcmeCaBundle = new("acme_ca_bundle", SettingSection.Server, "a PEM file of root certificates", "a PEM file with the root that signs the ACME server's HTTPS certificate") { Aliases = ["acme_ca_root", "ca_bundle", "ca_root"] };
    public static readonly Setting AppsDir = new("apps_dir", SettingSection.Server, "a directory path", "a directory such as apps.d, holding one NAME.yml file per app") { Aliases = ["emperor", "vassals", "apps_d", "app_dir", "conf_d", "include"] };

    // ---- apps.<name>: ----
    public static readonly Setting Module = new("module", SettingSection.App, "a Python import path MODULE:CALLABLE, such as myproject.wsgi:application", "an import path such as myproject.wsgi:application (the dotted module, a colon, the callable)", ConfigOverrides.ModuleArgument) { Aliases = ["wsgi", "wsgi_app", "callable", "application", "wsgi_file"] };
    public static readonly Setting Interface = new("interface", SettingSection.App, "auto, wsgi or asgi", "auto (look at the callable), wsgi or asgi", "--interface") { Aliases = ["worker_class", "protocol"] };
    public static readonly Setting Workers = new("workers", SettingSection.App, "a whole number from 1 to 1024", "a count such as 4 (gunicorn's rule of thumb is 2 × cores + 1)", "--workers") { Aliases = ["processes", "worker_processes", "num_workers"] };
    public static readonly Setting Connections = new("connections", SettingSection.App, "a whole number from 1 to 10000", "100; raise it for many long-lived requests (SSE, WebSockets) per worker", "--connections") { Aliases = ["worker_connections"] };
    public static readonly Setting Threads = new("threads", SettingSection.App, "a whole number from 1 to 1024", "1 for code that is not thread-safe, or a small number such as 4 for views that wait on I/O", "--threads") { Aliases = ["worker_threads"] };
    public static readonly Setting Preload = new("preload", SettingSection.App, "true or false", "true to import the app once and fork the workers from it, or false to start each worker on its own", "--preload") { Aliases = ["preload_app"] };
    public static readonly Setting Python = new("python", SettingSection.App, "an interpreter: a path such as /usr/bin/python3, or a command on PATH", "an interpreter that exists, such as /usr/bin/python3", "--python") { Aliases = ["interpreter", "python_path", "executable"] };
    public static readonly Setting Venv = new("venv", SettingSection.App, "a virtualenv directory (one with bin/python in it)", "a virtualenv made with `python3 -m venv DIR`", "--venv") { Aliases = ["virtualenv", "home", "pythonhome", "virtual_env"] };
    public static readonly Setting Chdir = new("chdir", SettingSection.App, "a directory", "the directory your package is imported from", "--chdir") { Aliases = ["directory", "cwd", "pythonpath", "workdir"] };
    public static readonly Setting EnvFile = new("env_file", SettingSection.App, "a file of NAME=value lines", "a file such as .env (NAME=value lines, # comments); it is read when berth starts and on every reload, and env: wins over it") { Aliases = ["environment_file", "envfile", "dotenv", "env_files", "environmentfile"] };
    public static readonly Setting Env = new("env", SettingSection.App, "a mapping of environment variable names to values, such as { DJANGO_SETTINGS_MODULE: mysite.settings }", "a mapping such as `env: { DEBUG: \"0\" }`") { Aliases = ["environment", "environ", "raw_env"] };
    public static readonly Setting Queue = new("queue", SettingSection.App, "a whole number ≥ 0", "0 to answer 503 as soon as every worker is busy, or a number such as 100", null) { Aliases = ["backlog", "listen_queue", "queue_size"] };
    public static readonly Setting Timeout = new("timeout", SettingSection.App, "a duration of at least 1s, such as 30, 30s or 2m (a bare number is seconds)", "a duration such as 30s or 2m, longer than your slowest view (gunicorn's 0 for \"never\" is not offered: a stuck worker would be lost for good)", "--timeout") { Aliases = ["harakiri", "worker_timeout", "request_timeout", "proxy_read_timeout", "uwsgi_read_timeout"] };
    public static readonly Setting Heartbeat = new("heartbeat", SettingSection.App, $"{Duration.Forms}; 0 for no pings", "a duration such as 10s: how often the master pings an idle worker (one that has not answered by the next ping is unresponsive, and replaced), or 0 for no pings") { Aliases = ["heartbeat_interval", "heartbeat_timeout", "worker_heartbeat", "ping_interval"] };
    public static readonly Setting MaxRequests = new("max_requests", SettingSection.App, "a whole number ≥ 0", "0 to never recycle a worker for the requests it served, or a count such as 1000", "--max-requests") { Aliases = ["maximum_requests", "max_requests_per_child", "max_requests_per_worker"] };
    public static readonly Setting MaxRequestsJitter = new("max_requests_jitter", SettingSection.App, "a whole number ≥ 0", "a count such as 50, a few percent of max_requests:", "--max-requests-jitter") { Aliases = ["max_requests_delta", "requests_jitter"] };
    public static readonly Setting MaxLifetime = new("max_lifetime", SettingSection.App, $"{Duration.Forms}, or 0 for never", "a duration such as 1h, or 0 to never recycle a worker for its age", "--max-lifetime") { Aliases = ["max_worker_lifetime", "worker_lifetime", "worker_max_lifetime"] };
    public static readonly Setting MaxLifetimeJitter = new("max_lifetime_jitter", SettingSection.App, Duration.Forms, "a duration such as 5m, a small part of max_lifetime:", "--max-lifetime-jitter") { Aliases = ["max_worker_lifetime_delta", "max_lifetime_delta", "lifetime_jitter"] };
    public static readonly Setting MaxMemory = new("max_memory", SettingSection.App, "0 for never, or a size of at least 16M in whole megabytes, such as 512M or 2G (a bare number is bytes)", "a size such as 512M, above what a worker holds once warmed up (uWSGI's reload-on-rss counts in megabytes; here write the M)", "--max-memory") { Aliases = ["reload_on_rss", "evil_reload_on_rss", "max_rss", "memory_limit"] };
    public static readonly Setting WebSocketPingInterval = new("websocket_ping_interval", SettingSection.App, $"{Duration.Forms}; 0 for no pings", "a duration such as 30s: how often the edge pings an open WebSocket (a client that does not answer by the next ping is closed)", "--websocket-ping-interval") { Aliases = ["ws_ping_interval", "ws_ping", "websocket_ping", "websocket_keepalive", "websocket_keep_alive_interval", "keep_alive_interval"] };
    public static readonly Setting WebSocketIdleTimeout = new("websocket_idle_timeout", SettingSection.App, $"{Duration.Forms}; 0 for never", "a duration such as 10m: a WebSocket with no message either way for this long is closed with 1001, or 0 to never close one for being quiet", "--websocket-idle-timeout") { Aliases = ["ws_idle_timeout", "websocket_timeout", "ws_timeout", "websocket_read_timeout"] };
    public static readonly Setting WebSocketDrainTimeout = new("websocket_drain_timeout", SettingSection.App, $"{Duration.Forms}; 0 closes them at once", "a duration such as 30s: how long a retiring worker's open WebSockets may stay before they are closed with 1001", "--websocket-drain-timeout") { Aliases = ["worker_reload_mercy", "reload_mercy", "websocket_close_timeout", "ws_drain_timeout", "drain_timeout"] };

    // ---- sites.<name>: ----
    public static readonly Setting Listen = new("listen", SettingSection.Site, "an address such as 127.0.0.1:8000, [::1]:8000, :8000 or unix:/run/berth.sock, or a list of them", "an address such as 127.0.0.1:8000 (HOST:PORT, [IPV6]:PORT, :PORT for every interface, or unix:PATH)", "--bind") { Aliases = ["bind", "binds", "socket", "http_socket", "address", "port"] };
    public static readonly Setting Hosts = new("hosts", SettingSection.Site, "a host name such as example.com or *.example.com, or a list of them", "names such as [example.com, www.example.com], or leave it out for the default site") { Aliases = ["server_name", "server_names", "host", "domains", "domain", "names"] };
    public static readonly Setting Static = new("static", SettingSection.Site, "a mapping of URL prefixes to directories, such as { /static/: static/ }", "a mapping such as `static: { /static/: static/ }`", "--static") { Aliases = ["static_map", "statics", "alias", "static_files"] };
    public static readonly Setting App = new("app", SettingSection.Site, "the name of an app under apps:", "the name of an app defined under apps:") { Aliases = ["application"] };
    public static readonly Setting Tls = new("tls", SettingSection.Site, "acme, internal, or a mapping with cert: and key:", "acme for a certificate from Let's Encrypt, internal for one from berth's local CA, or `{ cert: fullchain.pem, key: privkey.pem }`") { Aliases = ["ssl", "https", "certificate"] };
    public static readonly Setting Mounts = new("mounts", SettingSection.Site, "a mapping of URL prefixes to app names, such as { /api: api }", "a mapping such as `mounts: { /api: api }`") { Aliases = ["mount", "locations", "location", "routes"] };

    // ---- sites.<name>.tls: ----
    public static readonly Setting Cert = new("cert", SettingSection.Tls, "a PEM file holding the certificate, then its chain", "a PEM file such as /etc/letsencrypt/live/example.com/fullchain.pem", "--certfile") { Aliases = ["certfile", "ssl_certificate", "certificate", "fullchain"] };
    public static readonly Setting Key = new("key", SettingSection.Tls, "a PEM file holding the certificate's private key", "a PEM file such as /etc/letsencrypt/live/example.com/privkey.pem", "--keyfile") { Aliases = ["keyfile", "ssl_certificate_key", "privkey", "private_key"] };
    public static readonly Setting Issuer = new("issuer", SettingSection.Tls, "acme or internal", "acme (Let's Encrypt, or acme_directory:), or internal (berth's local CA); leave it out when giving cert: and key:") { Aliases = ["ca", "provider", "mode"] };
    public static readonly Setting Challenge = new("challenge", SettingSection.Tls, "http-01 or tls-alpn-01", "http-01 (answered on redirect_from:, port 80) or tls-alpn-01 (answered in the handshake on the https port, 443)") { Aliases = ["challenge_type", "challenges"] };
    public static readonly Setting RedirectFrom = new("redirect_from", SettingSection.Tls, "an address such as :80", "a plain HTTP address such as :80, whose requests are sent to https with 308") { Aliases = ["http", "redirect", "http_port"] };
    public static readonly Setting Hsts = new("hsts", SettingSection.Tls, $"{Duration.Forms}, or off", "a duration such as 8760h (a year), or off") { Aliases = ["strict_transport_security", "hsts_max_age"] };

    // ---- a file of apps_dir: an app's settings (above), plus where it is served ----
    public static readonly Setting Mount = new("mount", SettingSection.AppFile, "a URL prefix such as /blog", "a prefix such as /blog (the app sees it as SCRIPT_NAME), or / for the whole site") { Aliases = ["prefix", "mountpoint", "location", "script_name", "root_path"] };
    public static readonly Setting Site = new("site", SettingSection.AppFile, "the name of a site in berth.yml", "the name of a site defined under sites: in berth.yml, or leave it out to mount the app on every site") { Aliases = ["vhost", "server_block"] };
    public static readonly Setting AppHosts = new("hosts", SettingSection.AppFile, "a host name such as blog.example.com, or a list of them", "names such as [blog.example.com]; the app is served at / of a site of its own with these names, on berth's listeners") { Aliases = Hosts.Aliases };

    // ---- deploy.notify: and its channels (ConfigReader.Notify.cs) ----
    // notify: itself is a key of deploy: (DeployKeys).
    public static readonly Setting Notify = new("notify", SettingSection.Deploy, "a mapping of channels (slack:, webhook:, email:, sms:) and on:", "a mapping such as `notify: { on: [failure], slack: { url: ${SLACK_WEBHOOK_URL} } }`") { Aliases = ["notifications", "notifiers", "alerts"] };
    public static readonly Setting NotifyEvents = new("on", SettingSection.Notify, "success, failure, or a list of both", "[success, failure], or [failure] to hear only when something broke") { Aliases = ["when", "events", "notify_on"] };
    public static readonly Setting NotifyEnvFile = new("env_file", SettingSection.Notify, "a file of NAME=value lines", $"a git-ignored file such as {NotifySettings.DefaultEnvFile} next to berth.yml, or ~/.config/berth/APP.env") { Aliases = ["secrets", "secrets_file", "dotenv", "env"] };
    public static readonly Setting NotifyTimeout = new("timeout", SettingSection.Notify, Duration.Forms, "a duration such as 10s") { Aliases = ["timeout_seconds"] };
    public static readonly Setting NotifySlack = new("slack", SettingSection.Notify, "a mapping with url:", "`slack: { url: ${SLACK_WEBHOOK_URL} }`");
    public static readonly Setting NotifyWebhook = new("webhook", SettingSection.Notify, "a mapping with url: (and headers:)", "`webhook: { url: ${DEPLOY_WEBHOOK_URL} }`") { Aliases = ["http", "hook", "json"] };
    public static readonly Setting NotifyEmail = new("email", SettingSection.Notify, "a mapping with host:, from: and to:", "`email: { host: smtp.example.com, from: deploy@example.com, to: [ops@example.com] }`") { Aliases = ["mail", "smtp"] };
    public static readonly Setting NotifySms = new("sms", SettingSection.Notify, "a mapping with account_sid:, auth_token:, from: and to:", "`sms: { account_sid: ${TWILIO_ACCOUNT_SID}, auth_token: ${TWILIO_AUTH_TOKEN}, from: \"+15005550006\", to: [\"+15551234567\"] }`") { Aliases = ["twilio", "text"] };
    public static readonly Setting SlackUrl = new("url", SettingSection.Slack, "a ${NAME} reference to the webhook URL", "${SLACK_WEBHOOK_URL}, with SLACK_WEBHOOK_URL=https://hooks.slack.com/services/… in the env file") { Aliases = ["webhook_url", "webhook", "hook"] };
    public static readonly Setting SlackOn = ChannelOn(SettingSection.Slack);
    public static readonly Setting WebhookUrl = new("url", SettingSection.Webhook, "a ${NAME} reference to the URL", "${DEPLOY_WEBHOOK_URL}, with the URL in the env file") { Aliases = ["endpoint", "address"] };
    public static readonly Setting WebhookHeaders = new("headers", SettingSection.Webhook, "a mapping of header names to values", "a mapping such as `headers: { Authorization: \"Bearer ${DEPLOY_WEBHOOK_TOKEN}\" }`") { Aliases = ["header"] };
    public static readonly Setting WebhookOn = ChannelOn(SettingSection.Webhook);
    public static readonly Setting EmailHost = new("host", SettingSection.Email, "a host name", "your provider's submission server, such as smtp.example.com") { Aliases = ["server", "smtp_host", "smtp_server"] };
    public static readonly Setting EmailPort = new("port", SettingSection.Email, "a port number from 1 to 65535", $"{EmailSettings.SubmissionPort}, the submission port that speaks STARTTLS") { Aliases = ["smtp_port"] };
    public static readonly Setting EmailStartTls = new("starttls", SettingSection.Email, "true or false", "true (refuse to send in clear text), or false only for a relay on localhost") { Aliases = ["tls", "ssl", "enable_ssl", "use_tls"] };
    public static readonly Setting EmailUser = new("user", SettingSection.Email, "a user name, or a ${NAME} reference", "the account name your provider gives, such as deploy@example.com") { Aliases = ["username", "login"] };
    public static readonly Setting EmailPassword = new("password", SettingSection.Email, "a ${NAME} reference", "${SMTP_PASSWORD}, with SMTP_PASSWORD=… in the env file") { Aliases = ["pass", "secret"] };
    public static readonly Setting EmailFrom = new("from", SettingSection.Email, "an email address", "an address your provider lets you send from, such as deploy@example.com") { Aliases = ["sender"] };
    public static readonly Setting EmailTo = new("to", SettingSection.Email, "an email address, or a list of them", "addresses such as [ops@example.com]") { Aliases = ["recipients", "rcpt"] };
    public static readonly Setting EmailCaBundle = new("ca_bundle", SettingSection.Email, "a PEM file of root certificates", "a PEM file with the root that signs the mail server's certificate") { Aliases = ["ca", "cafile", "ca_file"] };
    public static readonly Setting EmailVerifyCertificate = new("verify_certificate", SettingSection.Email, "true or false", "true, or false only for a test server whose certificate nothing signs") { Aliases = ["verify", "tls_verify", "insecure"] };
    public static readonly Setting EmailOn = ChannelOn(SettingSection.Email);
    public static readonly Setting SmsAccountSid = new("account_sid", SettingSection.Sms, "a Twilio account SID (AC…), or a ${NAME} reference", "${TWILIO_ACCOUNT_SID}") { Aliases = ["sid", "account"] };
    public static readonly Setting SmsAuthToken = new("auth_token", SettingSection.Sms, "a ${NAME} reference", "${TWILIO_AUTH_TOKEN}, with TWILIO_AUTH_TOKEN=… in the env file") { Aliases = ["token", "password"] };
    public static readonly Setting SmsFrom = new("from", SettingSection.Sms, "a phone number in E.164 form, such as \"+15005550006\"", "your Twilio number, quoted: \"+15005550006\"") { Aliases = ["sender"] };
    public static readonly Setting SmsTo = new("to", SettingSection.Sms, "a phone number in E.164 form, or a list of them", "numbers such as [\"+15551234567\"]") { Aliases = ["recipients"] };
    public static readonly Setting SmsBaseUrl = new("base_url", SettingSection.Sms, "an http or https URL", $"{SmsSettings.TwilioBaseUrl}, or a local receiver while testing") { Aliases = ["url", "api_url", "endpoint"] };
    public static readonly Setting SmsOn = ChannelOn(SettingSection.Sms);

    public static IReadOnlyList<Setting> NotifyKeys { get; } = [NotifyEvents, NotifyEnvFile, NotifyTimeout, NotifySlack, NotifyWebhook, NotifyEmail, NotifySms];

    public static IReadOnlyList<Setting> NotifyChannels { get; } = [NotifySlack, NotifyWebhook, NotifyEmail, NotifySms];

    public static IReadOnlyList<Setting> SlackKeys { get; } = [SlackUrl, SlackOn];

    public static IReadOnlyList<Setting> WebhookKeys { get; } = [WebhookUrl, WebhookHeaders, WebhookOn];

    public static IReadOnlyList<Setting> EmailKeys { get; } = [EmailHost, EmailPort, EmailStartTls, EmailUser, EmailPassword, EmailFrom, EmailTo, EmailCaBundle, EmailVerifyCertificate, EmailOn];

    public static IReadOnlyList<Setting> SmsKeys { get; } = [SmsAccountSid, SmsAuthToken, SmsFrom, SmsTo, SmsBaseUrl, SmsOn];

    public static IEnumerable<Setting> AllNotify => NotifyKeys.Concat(SlackKeys).Concat(WebhookKeys).Concat(EmailKeys).Concat(SmsKeys);

    private static Setting ChannelOn(SettingSection channel) =>
        new("on", channel, "success, failure, or a list of both", "[failure] to tell this channel only when something broke, or leave it out to follow notify's on:") { Aliases = NotifyEvents.Aliases };
    /// <summary>The notify blocks' keys are common words (host, port, user, url, to); from any other block they
    /// are never the key that was meant, so <see cref="UnknownKeyAdvice"/> does not suggest them there.</summary>
    public static bool IsNotify(SettingSection section) =>
        section is SettingSection.Notify or SettingSection.Slack or SettingSection.Webhook or SettingSection.Email or SettingSection.Sms;
    // ---- end of deploy.notify ----

    // ---- deploy: (ConfigReader.Deploy.cs); the names Ansible, Kamal, Capistrano and Deployer give each key are its aliases ----
    public static readonly Setting DeployHosts = new("hosts", SettingSection.Deploy, "a host as [user@]host[:port] (an IPv6 address in brackets), or a list of them", "hosts written [user@]host[:port], such as [deploy@shop.example.com, \"deploy@[2001:db8::1]:2222\"]") { Aliases = ["host", "servers", "server", "inventory", "roles", "targets", "ansible_host"] };
    public static readonly Setting DeployRepository = new("repository", SettingSection.Deploy, "a git repository as this machine clones it: a URL, git@host:path, or a local path", "the address you would give `git clone`, such as git@github.com:me/shop.git") { Aliases = ["repo", "repo_url", "git_repo", "git", "git_url", "source", "scm_url"] };
    public static readonly Setting DeployBranch = new("branch", SettingSection.Deploy, "a branch name", "the branch to deploy, such as main") { Aliases = ["git_branch", "ref"] };
    public static readonly Setting DeployRevision = new("revision", SettingSection.Deploy, "a tag or commit", "a tag such as v1.4.2 or a commit such as 0123456, or leave it out to deploy branch:") { Aliases = ["version", "commit", "tag", "sha", "rev"] };
    public static readonly Setting DeployPath = new("path", SettingSection.Deploy, "an absolute directory on the host", "a directory such as /srv/shop; releases/, shared/ and current go under it") { Aliases = ["deploy_to", "deploy_path", "dest", "app_path", "root", "directory", "app_dir"] };
    public static readonly Setting DeployPython = new("python", SettingSection.Deploy, "an interpreter on the host: a path or a command name", "/usr/bin/python3, the interpreter the host's virtualenvs are built with") { Aliases = ["python_interpreter", "ansible_python_interpreter", "interpreter", "virtualenv_python"] };
    public static readonly Setting DeploySystemPackages = new("system_packages", SettingSection.Deploy, "an apt package name, or a list of them", "packages such as [python3-venv, libpq5]") { Aliases = ["packages", "apt", "apt_packages", "system_dependencies", "dependencies"] };
    public static readonly Setting DeployRequirements = new("requirements", SettingSection.Deploy, "a file path relative to the repository's root", "requirements.txt, or a path such as requirements/production.txt") { Aliases = ["requirements_file", "requirements_txt", "pip_requirements"] };
    public static readonly Setting DeployPip = new("pip", SettingSection.Deploy, "a list of extra pip install arguments (or one string of them separated by spaces)", "arguments such as [--no-index, --find-links, /srv/wheels] for an offline install") { Aliases = ["pip_args", "pip_extra_args", "pip_options", "extra_args", "pip_install_args"] };
    public static readonly Setting DeployVenvSystemSitePackages = new("venv_system_site_packages", SettingSection.Deploy, "true or false", "true to let the venv see packages installed with apt (python3-flask), or false") { Aliases = ["system_site_packages", "virtualenv_site_packages", "site_packages"] };
    public static readonly Setting DeployShared = new("shared", SettingSection.Deploy, "a path relative to the release, or a list of them (a trailing / is a directory)", "paths such as [db.sqlite3, media/]") { Aliases = ["linked_files", "linked_dirs", "shared_files", "shared_dirs", "shared_paths", "volumes", "persistent"] };
    public static readonly Setting DeployEnvFile = new("env_file", SettingSection.Deploy, "a local file of NAME=value lines", "a git-ignored file such as .env.production next to berth.yml; it is uploaded to shared/.env (0600) and given to the app's workers") { Aliases = ["dotenv", "environment_file", "env", "envfile", "secrets_file"] };
    public static readonly Setting DeployHooks = new("hooks", SettingSection.Deploy, "a mapping with before_switch: and after_switch:", "a mapping such as `hooks: { before_switch: [\"python manage.py migrate --noinput\"] }`") { Aliases = ["tasks", "callbacks", "handlers"] };
    public static readonly Setting DeployHealthCheck = new("health_check", SettingSection.Deploy, "a URL path such as /healthz, a mapping with path: and timeout:, or off", "a path such as /healthz, `{ path: /healthz, timeout: 10s }`, or off") { Aliases = ["healthcheck", "health", "readiness", "healthcheck_path"] };
    public static readonly Setting DeployKeepReleases = new("keep_releases", SettingSection.Deploy, "a whole number ≥ 1", "a count such as 5: good releases kept for rollback (failed ones do not count)") { Aliases = ["keep", "releases", "keep_last", "retain", "keep_releases_count"] };
    public static readonly Setting DeployParallel = new("parallel", SettingSection.Deploy, "a whole number ≥ 1", "how many hosts are deployed at once, such as 5") { Aliases = ["forks", "concurrency", "max_parallel", "in_parallel"] };
    public static readonly Setting DeployBatch = new("batch", SettingSection.Deploy, "a whole number ≥ 0", "1 to deploy one host at a time (rolling), or 0 for every host at once, parallel: at a time") { Aliases = ["serial", "rolling", "batch_size", "limit", "boot_limit"] };
    public static readonly Setting DeployUser = new("user", SettingSection.Deploy, "a user name on the host", "the user berth serve runs as, such as www-data; leave it out to use the ssh user") { Aliases = ["service_user", "become_user", "run_as", "owner", "app_user"] };
    public static readonly Setting DeployBerthBinary = new("berth_binary", SettingSection.Deploy, "a local file: a self-contained berth for the hosts", "the file `dotnet publish src/Berth -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true` writes") { Aliases = ["binary", "berth", "berth_path", "executable"] };
    public static readonly Setting DeployUploadCode = new("upload_code", SettingSection.Deploy, "true or false", "true when the hosts cannot reach the repository (berth uploads a git archive), or false to let them fetch") { Aliases = ["upload", "archive", "copy_code", "copy", "push_code"] };
    public static readonly Setting DeploySsh = new("ssh", SettingSection.Deploy, "a mapping of ssh settings (identity_file:, known_hosts:, …)", "a mapping such as `ssh: { identity_file: ~/.ssh/deploy_ed25519 }`") { Aliases = ["ssh_options", "connection", "ssh_config"] };

    // ---- deploy.hooks: ----
    public static readonly Setting HooksBeforeSwitch = new("before_switch", SettingSection.Hooks, "a shell command, or a list of them", "commands such as [\"python manage.py migrate --noinput\"], run in the new release with its venv before it goes live") { Aliases = ["before_symlink", "before_publish", "before_publishing", "pre_switch", "pre_deploy", "before_release"] };
    public static readonly Setting HooksAfterSwitch = new("after_switch", SettingSection.Hooks, "a shell command, or a list of them", "commands run in the live release once its health check passed") { Aliases = ["after_symlink", "after_publish", "after_publishing", "post_switch", "post_deploy", "after_release"] };

    // ---- deploy.health_check: ----
    public static readonly Setting HealthPath = new("path", SettingSection.HealthCheck, "a URL path starting with /", "a path such as /healthz that answers below 400 when the app works") { Aliases = ["url", "uri", "endpoint", "location"] };
    public static readonly Setting HealthTimeout = new("timeout", SettingSection.HealthCheck, Duration.Forms, "a duration such as 10s: how long the new release has to answer") { Aliases = ["wait", "max_wait", "readiness_timeout", "deploy_timeout"] };

    // ---- deploy.ssh: ----
    public static readonly Setting SshIdentityFile = new("identity_file", SettingSection.Ssh, "a private key file", "a key such as ~/.ssh/deploy_ed25519 (ssh -i)") { Aliases = ["key", "keys", "private_key", "ssh_key", "identity", "ansible_ssh_private_key_file", "keyfile"] };
    public static readonly Setting SshKnownHosts = new("known_hosts", SettingSection.Ssh, "a known_hosts file", "a file such as ~/.ssh/known_hosts, or one of the project's") { Aliases = ["known_hosts_file", "user_known_hosts_file", "userknownhostsfile"] };
    public static readonly Setting SshStrictHostKeyChecking = new("strict_host_key_checking", SettingSection.Ssh, "accept-new or yes", "accept-new (trust a host on first sight, refuse it if its key changes) or yes (only hosts already in known_hosts); berth never turns the check off") { Aliases = ["host_key_checking", "stricthostkeychecking", "verify_host_key"] };
    public static readonly Setting SshConnectTimeout = new("connect_timeout", SettingSection.Ssh, Duration.Forms, "a duration such as 10s") { Aliases = ["timeout", "connection_timeout", "connecttimeout"] };
    public static readonly Setting SshOptions = new("options", SettingSection.Ssh, "a list of ssh options written Key=Value", "options such as [ProxyJump=bastion.example.com]") { Aliases = ["ssh_args", "ssh_extra_args", "extra_args", "args", "ssh_options"] };

    public static IReadOnlyList<Setting> DeployKeys { get; } =
    [
        DeployHosts, DeployRepository, DeployBranch, DeployRevision, DeployPath, DeployPython, DeploySystemPackages, DeployRequirements, DeployPip,
        DeployVenvSystemSitePackages, DeployShared, DeployEnvFile, DeployHooks, DeployHealthCheck, DeployKeepReleases, DeployParallel, DeployBatch,
        DeployUser, DeployBerthBinary, DeployUploadCode, DeploySsh, Notify,
    ];

    public static IReadOnlyList<Setting> HooksKeys { get; } = [HooksBeforeSwitch, HooksAfterSwitch];

    public static IReadOnlyList<Setting> HealthCheckKeys { get; } = [HealthPath, HealthTimeout];

    public static IReadOnlyList<Setting> SshKeys { get; } = [SshIdentityFile, SshKnownHosts, SshStrictHostKeyChecking, SshConnectTimeout, SshOptions];

    public static IEnumerable<Setting> AllDeploy => DeployKeys.Concat(HooksKeys).Concat(HealthCheckKeys).Concat(SshKeys);

    // ---- end of deploy: ----

    public static IReadOnlyList<Setting> TopLevelKeys { get; } = [Server, Apps, Sites, Deploy];

    public static IReadOnlyList<Setting> ServerKeys { get; } = [AccessLog, GracefulTimeout, ForwardedAllowIps, MaxBodySize, RuntimeDir, AppsDir, Storage, AcmeDirectory, AcmeEmail, AcmeCaBundle];

    public static IReadOnlyList<Setting> AppKeys { get; } = [Module, Interface, Workers, Threads, Connections, Preload, Python, Venv, Chdir, Env, EnvFile, Queue, Timeout, Heartbeat, MaxRequests, MaxRequestsJitter, MaxLifetime, MaxLifetimeJitter, MaxMemory, WebSocketDrainTimeout, WebSocketPingInterval, WebSocketIdleTimeout];

    public static IReadOnlyList<Setting> SiteKeys { get; } = [Listen, Hosts, Static, App, Mounts, Tls];

    public static IReadOnlyList<Setting> TlsKeys { get; } = [Cert, Key, Issuer, Challenge, RedirectFrom, Hsts];

    /// <summary>The keys an app file of apps_dir adds to <see cref="AppKeys"/>.</summary>
    public static IReadOnlyList<Setting> PlacementKeys { get; } = [Mount, Site, AppHosts];

    public static IReadOnlyList<Setting> AppFileKeys { get; } = [.. AppKeys, .. PlacementKeys];

    public static IEnumerable<Setting> All => TopLevelKeys.Concat(ServerKeys).Concat(AppKeys).Concat(SiteKeys).Concat(TlsKeys).Concat(PlacementKeys).Concat(AllDeploy).Concat(AllNotify);

    public static IReadOnlyList<Setting> KeysOf(SettingSection section) => section switch
    {
        SettingSection.TopLevel => TopLevelKeys,
        SettingSection.Server => ServerKeys,
        SettingSection.App => AppKeys,
        SettingSection.Site => SiteKeys,
        SettingSection.Tls => TlsKeys,
        SettingSection.AppFile => AppFileKeys,
        SettingSection.Deploy => DeployKeys,
        SettingSection.Hooks => HooksKeys,
        SettingSection.HealthCheck => HealthCheckKeys,
        SettingSection.Ssh => SshKeys,
        SettingSection.Notify => NotifyKeys,
        SettingSection.Slack => SlackKeys,
        SettingSection.Webhook => WebhookKeys,
        SettingSection.Email => EmailKeys,
        SettingSection.Sms => SmsKeys,
        _ => throw new ArgumentOutOfRangeException(nameof(section)),
    };

    /// <summary>Where a block's keys go, in the words of a fix: "under an app (apps.&lt;name&gt;:)".</summary>
    public static string Describe(SettingSection section) => section switch
    {
        SettingSection.TopLevel => "at the top level of the file",
        SettingSection.Server => "under server:",
        SettingSection.App => "under an app (apps.<name>:)",
        SettingSection.Site => "under a site (sites.<name>:)",
        SettingSection.Tls => "under a site's tls: (sites.<name>.tls:)",
        SettingSection.AppFile => "at the top of an app's own file in apps_dir",
        SettingSection.Deploy => "under deploy:",
        SettingSection.Hooks => "under deploy: hooks:",
        SettingSection.HealthCheck => "under deploy: health_check:",
        SettingSection.Ssh => "under deploy: ssh:",
        SettingSection.Notify => "under deploy: notify:",
        SettingSection.Slack => "under deploy.notify.slack:",
        SettingSection.Webhook => "under deploy.notify.webhook:",
        SettingSection.Email => "under deploy.notify.email:",
        SettingSection.Sms => "under deploy.notify.sms:",
        _ => throw new ArgumentOutOfRangeException(nameof(section)),
    };
}
