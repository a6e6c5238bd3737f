using System.Net;
using System.Net.Mail;
using System.Security.Authentication;
using Berth.Config;

namespace Berth.Deploy.Notify;

/// <summary>
/// Mail through System.Net.Mail (DESIGN.md: MailKit is not on our mirror). With <c>starttls:</c> on (the
/// default) SmtpClient's EnableSsl sends STARTTLS after EHLO and refuses to go on in clear text when the
/// server does not offer it (RFC 3207), so the password never crosses the network unencrypted. Note that
/// SmtpClient logs in with AUTH LOGIN (never PLAIN), and when the server refuses that it goes on without
/// logging in; a server that wants a login then refuses MAIL FROM (530), reported below as a refusal.
/// </summary>
internal sealed class EmailNotifier(EmailSettings email, NetworkCredential? credential) : INotifier
{
    public string Channel => "email";

    public string Target => string.Join(", ", email.To);

    public async Task SendAsync(DeployReport report, CancellationToken cancellationToken)
    {
        using var message = new MailMessage
        {
            From = new MailAddress(email.From),
            Subject = "[berth] " + DeploySummary.Headline(report),
            Body = Body(report),
            BodyEncoding = System.Text.Encoding.UTF8,
            SubjectEncoding = System.Text.Encoding.UTF8,
        };
        foreach (string to in email.To)
        {
            message.To.Add(to);
        }

        using var client = new SmtpClient(email.Host, email.Port)
        {
            EnableSsl = email.StartTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Credentials = credential,
        };
        try
        {
            // WaitAsync: SmtpClient's TCP connect takes no token, so a server that accepts and never greets
            // would hold the send past the channel's timeout; disposing the client below then closes it.
            await SmtpCertificatePolicy.RunAsync(email, () => client.SendMailAsync(message, cancellationToken).WaitAsync(cancellationToken)).ConfigureAwait(false);
        }
        catch (SmtpException e) when (e.InnerException is AuthenticationException tls)
        {
            throw new NotifyException($"the TLS handshake with {email.Host}:{email.Port} failed: {tls.Message}",
                "if the server's certificate is signed by your own CA, set ca_bundle: to that CA's PEM file; for a test server only, verify_certificate: false", e);
        }
        catch (SmtpException e) when (e.StatusCode == SmtpStatusCode.MustIssueStartTlsFirst || e.Message.Contains("secure connection", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotifyException($"{email.Host}:{email.Port} does not offer STARTTLS: {e.Message}",
                $"use your provider's submission port ({EmailSettings.SubmissionPort}), or starttls: false only for a relay on this machine", e);
        }
        catch (SmtpException e) when (e.InnerException is System.Net.Sockets.SocketException or IOException)
        {
            throw new NotifyException($"could not connect to the mail server {email.Host}:{email.Port}: {e.InnerException.Message}",
                "check host: and port: (587 for STARTTLS submission) and that this machine can reach the server", e);
        }
        catch (SmtpException e)
        {
            throw new NotifyException($"the mail server {email.Host}:{email.Port} refused: {e.Message}" + (e.InnerException is { } inner ? $" ({inner.Message})" : ""),
                "check host:, port:, user: and the password in the env file against your provider's SMTP settings", e);
        }
    }

    private static string Body(DeployReport report) =>
        DeploySummary.Paragraph(report) + "\n\n" +
        string.Join("\n", report.Hosts.Select(h => "  " + DeploySummary.Describe(h))) +
        "\n\n-- \nsent by berth deploy\n";
}
