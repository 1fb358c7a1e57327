"""Collection: config-driven Scrapy spiders for public press, forum and petition sources."""
