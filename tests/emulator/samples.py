"""Sample worlds shared by the okx emulator tests."""

CONFIG_WITH_KEYS = """default_profile = "live"

[profiles.live]
api_key = "AK-live-0001"
secret_key = "SK-live-secret-0001"
passphrase = "PP-live-0001"
site = "eea"

[profiles.demo]
api_key = "AK-demo-0002"
secret_key = "SK-demo-secret-0002"
passphrase = "PP-demo-0002"
demo = true
"""

SECRETS = ("AK-live-0001", "SK-live-secret-0001", "PP-live-0001", "SK-demo-secret-0002")
