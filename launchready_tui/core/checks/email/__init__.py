"""Email authentication checks: SPF, DKIM, DMARC, MX."""
