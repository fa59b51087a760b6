"""The long-running service: scheduled crawls and digests, their job store, one crawl job."""
