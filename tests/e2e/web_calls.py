#!/usr/bin/python3
"""Drives the calls part of the daemon's web page in headless Chromium (Selenium + chromedriver,
Debian packages), as an operator would:
  1. log in with the token; place an anonymous call to TARGET from account 1 with the page's
     form (the box ticked); see its row reach "confirmed" with RTP packets rising both ways;
     end it with the row's button;
  2. print "waiting for an incoming call" (the test then makes the far end call us); answer the
     ringing row from the page, see it confirmed with packets rising, end it from the page.

usage: web_calls.py URL TOKEN TARGET PROFILE_DIR; prints one line per step (flushed), exit 0 on
success."""
import re
import sys
import time

from selenium.common.exceptions import StaleElementReferenceException, NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from web_driver import headless_chromium

url, token, target, profile = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]


def say(*args):
    print(*args, flush=True)


driver = headless_chromium(profile)
wait = WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,
                                                      NoSuchElementException))


def row_text(call_id, cls):
    """A cell of a call's row; the table is redrawn every second, so read it in one go."""
    return driver.execute_script(
        "const r = document.getElementById('call-' + arguments[0]);"
        "if (!r) return null; const c = r.querySelector('td.' + arguments[1]);"
        "return c ? c.textContent : null;", call_id, cls)


def row_state(call_id):
    return driver.execute_script(
        "const r = document.getElementById('call-' + arguments[0]);"
        "return r ? r.dataset.state : null;", call_id)


def click_in_row(call_id, cls):
    """Clicks the row's button (found afresh: the table may have been redrawn meanwhile)."""
    def attempt(d):
        try:
            d.find_element(By.CSS_SELECTOR, "#call-%s button.%s" % (call_id, cls)).click()
            return True
        except (StaleElementReferenceException, NoSuchElementException):
            return False
    wait.until(attempt)


def wait_state(call_id, state, seconds=15):
    WebDriverWait(driver, seconds).until(lambda d: row_state(call_id) == state)
    say("call", call_id, "state on the page:", row_text(call_id, "state"))


def packets_rise(call_id):
    first = (int(row_text(call_id, "sent")), int(row_text(call_id, "received")))
    time.sleep(3)
    WebDriverWait(driver, 10).until(
        lambda d: int(row_text(call_id, "sent")) > first[0] + 50
        and int(row_text(call_id, "received")) > first[1] + 50)
    now = (int(row_text(call_id, "sent")), int(row_text(call_id, "received")))
    say("call", call_id, "packets rising: sent %d -> %d, received %d -> %d, jitter %s, "
        "duration %s" % (first[0], now[0], first[1], now[1], row_text(call_id, "jitter"),
                         row_text(call_id, "duration")))


try:
    driver.get(url)
    login = wait.until(ec.visibility_of_element_located((By.ID, "token")))
    login.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login button").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#call-account option")) > 0)
    say("logged in; accounts to call from:",
        [o.text for o in driver.find_elements(By.CSS_SELECTOR, "#call-account option")])

    # 1. Place an anonymous call from the form, watch it, end it.
    driver.find_element(By.ID, "call-to").send_keys(target)
    driver.find_element(By.ID, "call-anonymous").click()
    driver.find_element(By.ID, "call-place").click()
    wait.until(lambda d: re.match(r"call \d+ placed", d.find_element(By.ID, "call-status").text))
    status = driver.find_element(By.ID, "call-status").text
    out_id = re.match(r"call (\d+) placed", status).group(1)
    say("status:", status)
    wait_state(out_id, "confirmed")
    packets_rise(out_id)
    click_in_row(out_id, "call-end")
    wait_state(out_id, "ended")

    # 2. Answer a call from the far end, watch it, end it.
    say("waiting for an incoming call")
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "const r = document.querySelector('#calls tr[data-state=incoming]');"
        "return r ? r.id.substring(5) : null;"))
    in_id = driver.execute_script(
        "return document.querySelector('#calls tr[data-state=incoming]').id.substring(5);")
    say("call", in_id, "ringing on the page:", row_text(in_id, "state"))
    click_in_row(in_id, "call-answer")
    wait_state(in_id, "confirmed")
    packets_rise(in_id)
    click_in_row(in_id, "call-end")
    wait_state(in_id, "ended")
    say("done")
finally:
    driver.quit()
