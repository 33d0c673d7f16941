#!/usr/bin/python3
"""Drives the daemon's web page in headless Chromium over a fleet: the counts by state, 100
accounts a page, the next page, the state filter and the name filter.

usage: web_paging.py URL TOKEN PROFILE_DIR; prints one line per step, exit 0 on success."""
import sys

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from web_driver import headless_chromium

url, token, profile = sys.argv[1], sys.argv[2], sys.argv[3]
driver = headless_chromium(profile)
# The page rebuilds its table every 2 s: rows found just before may be gone when read.
wait = WebDriverWait(driver, 15, ignored_exceptions=(StaleElementReferenceException,))


def first_cells(d):
    # Read in one script, in the page: element by element over WebDriver, a table of 100 rows
    # took longer than the page's 2 s rebuild on a loaded machine, so every pass met a stale row.
    return d.execute_script(
        "return Array.from(document.querySelectorAll('#rows tr'))"
        ".map(r => { const c = r.querySelector('td'); return c ? c.textContent.trim() : ''; });")


def page_shows(info, first, count):
    def check(d):
        cells = first_cells(d)
        return (d.find_element(By.ID, "page-info").text == info and len(cells) == count and
                cells[0] == first)
    return check


try:
    driver.get(url + "#token=" + token)
    wait.until(lambda d: "accounts" in d.find_element(By.ID, "summary").text)
    wait.until(lambda d: "registered" in d.find_element(By.ID, "summary").text)
    print("summary:", driver.find_element(By.ID, "summary").text)
    wait.until(page_shows("1-100 of 233", "1", 100))
    print("page:", driver.find_element(By.ID, "page-info").text)
    driver.find_element(By.ID, "page-next").click()
    wait.until(page_shows("101-200 of 233", "101", 100))
    print("next page:", driver.find_element(By.ID, "page-info").text)
    Select(driver.find_element(By.ID, "filter-state")).select_by_value("failed")
    wait.until(page_shows("1-1 of 1", "2", 1))
    print("failed:", first_cells(driver), driver.find_element(By.ID, "page-info").text)
    Select(driver.find_element(By.ID, "filter-state")).select_by_value("")
    driver.find_element(By.ID, "filter-name").send_keys("spare 0012")
    wait.until(page_shows("1-10 of 10", "123", 10))
    print("name:", first_cells(driver))
    print("prev disabled:", driver.find_element(By.ID, "page-prev").get_attribute("disabled"))
finally:
    driver.quit()
