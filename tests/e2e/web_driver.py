"""The headless Chromium the web-page tests drive (Debian's chromium + chromedriver, through
python3-selenium), with its profile in PROFILE_DIR. Imported by web_settings.py, web_lamps.py and web_calls.py
(Python finds it next to them)."""
from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def headless_chromium(profile):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=" + profile):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(20)
    return driver
