"""Faktabot in Slack (Bolt for Python): questions, alerts with actions, App Home, subscriptions.

`bot.slack.listeners` builds the Bolt app on the shared state of `bot.slack.app`; `bot.slack.server` runs it (Socket Mode or
HTTP) for `faktabot run` and gives the delivery transport for "#kanal" recipients. Imported only
when Slack is configured. Importing it has no side effects.
"""
