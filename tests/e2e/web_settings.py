#!/usr/bin/python3
"""Drives the daemon's web page in headless Chromium (Selenium + chromedriver, Debian packages):
log in with the token, open account 1's settings, try an invalid value (the problem must show
next to the field and nothing change), then set register_expiration_min and save.

usage: web_settings.py URL TOKEN NEW_MINUTES PROFILE_DIR; prints one line per step, exit 0 on
success."""
import sys

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

url, token, minutes, profile = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--user-data-dir=" + profile):
    options.add_argument(arg)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(20)
wait = WebDriverWait(driver, 15)
try:
    driver.get(url)
    login = wait.until(ec.visibility_of_element_located((By.ID, "token")))
    print("login form shown")
    login.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login button").click()
    wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "button.open-settings"))).click()
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
