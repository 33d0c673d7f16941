#!/usr/bin/python3
"""Drives the daemon's web page in headless Chromium (Selenium + chromedriver, Debian packages):
log in with the token, open account 1's settings, try an invalid value (the problem must show
next to the field and nothing change), then set register_expiration_min and save.

usage: web_settings.py URL TOKEN NEW_MINUTES PROFILE_DIR; prints one line per step, exit 0 on
success."""
import sys

from selenium.common.exceptions import (ElementNotInteractableException,
                                        StaleElementReferenceException)
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from web_driver import headless_chromium

url, token, minutes, profile = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
driver = headless_chromium(profile)
# The page rebuilds its table every 2 s: a button found just before may be gone when clicked.
wait = WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,
                                                     ElementNotInteractableException))


def click_open_settings(d):
    d.find_element(By.CSS_SELECTOR, "button.open-settings").click()
    return True


try:
    driver.get(url)
    login = wait.until(ec.visibility_of_element_located((By.ID, "token")))
    print("login form shown")
    login.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login button").click()
    wait.until(click_open_settings)
    field = wait.until(ec.visibility_of_element_located((By.ID, "set-register_expiration_min")))
    print("settings form shown, register_expiration_min =", field.get_attribute("value"))

    field.clear()
    field.send_keys("0")
    driver.find_element(By.ID, "save").click()
    wait.until(lambda d: d.find_element(By.ID, "problem-register_expiration_min").text != "")
    print("problem shown:", driver.find_element(By.ID, "problem-register_expiration_min").text)

    field = driver.find_element(By.ID, "set-register_expiration_min")
    field.clear()
    field.send_keys(minutes)
    driver.find_element(By.ID, "save").click()
    wait.until(lambda d: d.find_element(By.ID, "settings-status").text.startswith("saved"))
    print("status:", driver.find_element(By.ID, "settings-status").text)
finally:
    driver.quit()
