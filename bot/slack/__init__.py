"""Faktabot in Slack (Bolt for Python): questions, alerts with actions, App Home, subscriptions.

`build_app` builds the Bolt app from the settings; `serve` runs it (Socket Mode or HTTP) for
`faktabot run`; `slack_channel` is the delivery transport for "#kanal" recipients. Imported only
when Slack is configured. Importing it has no side effects.
"""
from bot.slack.app import SlackBot, build_app
from bot.slack.server import serve, slack_channel, start

__all__ = ["SlackBot", "build_app", "serve", "slack_channel", "start"]
