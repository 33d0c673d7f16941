#!/usr/bin/python3
"""Watches the lamps on the daemon's web page in headless Chromium (Selenium + chromedriver,
Debian packages) while a test changes them from outside: loads the page once (logged in by
`#token=`), then prints one line each time the set of lamps changes, e.g.
  lamps: blf-1-sip:1301@127.0.0.1:5060=ringing mwi-1=on
(a lamp's state is its dot's class: on/off for MWI, idle/ringing/busy for BLF). The page is never
reloaded: a marker set in the window at the start must still be there at every look, or the
script prints "RELOADED" and fails. It stops with exit 0 when STOP_FILE appears, 1 after
MAX_SECONDS.

usage: web_lamps.py URL_WITH_TOKEN PROFILE_DIR STOP_FILE MAX_SECONDS"""
import os
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from web_driver import headless_chromium

url, profile, stop_file, max_seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
driver = headless_chromium(profile)

# Every lamp on the page as "key=state", sorted; the dot's classes minus "lamp" are the state.
READ_LAMPS = """
return Array.from(document.querySelectorAll('[data-lamp]')).map(el => {
  const dot = el.querySelector('.lamp');
  const cls = Array.from(dot.classList).filter(c => c !== 'lamp').join('.') || 'off';
  return el.dataset.lamp + '=' + cls;
}).sort().join(' ');
"""

code = 1
try:
    driver.get(url)
    WebDriverWait(driver, 15).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "[data-lamp]"))
    driver.execute_script("window.siplineLoadedOnce = true;")
    print("page loaded", flush=True)
    last = None
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        if not driver.execute_script("return window.siplineLoadedOnce === true;"):
            print("RELOADED", flush=True)
            break
        lamps = driver.execute_script(READ_LAMPS)
        if lamps != last:
            print("lamps:", lamps, flush=True)
            last = lamps
        if os.path.exists(stop_file):
            code = 0
            break
        time.sleep(0.1)
    else:
        print("no stop file within", max_seconds, "s", flush=True)
finally:
    driver.quit()
sys.exit(code)
